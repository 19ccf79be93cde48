/**
 * Ports for the DNS servers tests and benches start: free on 127.0.0.1 for both UDP and TCP, and
 * below the kernel's ephemeral range (net.ipv4.ip_local_port_range), never in it.
 *
 * Why not in it: podns binds with SO_REUSEPORT, as CoreDNS does, and so does dig (bind9) for its
 * own client sockets. Two sockets that both set it, under the same user, may share a port, so the
 * kernel can hand dig the server's port as its ephemeral source port; dig, connected from
 * 127.0.0.1:P to 127.0.0.1:P, then receives its own query ("query response not set") instead of
 * the server's reply. With the server on an ephemeral port, that hit about one bench check run in
 * five (5 000 dig queries against a 28 000-port range). Port 53 is outside the range, so a
 * deployed server never meets it.
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Lowest port handed out. */
const LOW = 10_000;

/** The first port of the ephemeral range (32768 where /proc does not say). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > LOW + 1000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

const HIGH = ephemeralLow();

function udpFree(port: number): Promise<boolean> {
  const s = createSocket('udp4');
  return new Promise((resolve) => {
    s.once('error', () => { s.close(); resolve(false); });
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function tcpFree(port: number): Promise<boolean> {
  const srv = createServer();
  return new Promise((resolve) => {
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A port free for UDP and TCP on 127.0.0.1, below the ephemeral range, not in `taken` (which it joins). */
export async function serverPort(taken: Set<number> = new Set()): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (taken.has(port)) continue;
    if (await udpFree(port) && await tcpFree(port)) {
      taken.add(port);
      return port;
    }
  }
  throw new Error(`no free port found in ${LOW}-${HIGH - 1}`);
}
