/**
 * Ports for the DNS servers tests and benches start, and for dig's UDP source ports: free on
 * 127.0.0.1, below the kernel's ephemeral range (net.ipv4.ip_local_port_range), never in it, and
 * claimed for this process against every other process that takes ports here (test files run in
 * parallel).
 *
 * Why not in it: podns binds with SO_REUSEPORT, as CoreDNS does, and so does dig (bind9) for its
 * own client sockets. Two sockets that both set it, under the same user, may share a port, so the
 * kernel can hand dig the server's port as its ephemeral source port; dig, connected from
 * 127.0.0.1:P to 127.0.0.1:P, then receives its own query ("query response not set") instead of
 * the server's reply. With the server on an ephemeral port, that hit about one bench check run in
 * five (5 000 dig queries against a 28 000-port range). Port 53 is outside the range, so a
 * deployed server never meets it.
 *
 * The same sharing happens between two dig processes: both ask the kernel for an ephemeral port,
 * both may get the same one, and once both are connected to the same server from the same port
 * the kernel delivers both replies to one of them; the other times out. With the ephemeral range
 * cut to 4 ports, 12 of 60 queries of 3 concurrent digs (to a server answering after 300 ms) timed
 * out; with the full range, about one pair of concurrent digs in 28 000 meets it, which is how a
 * CI run once failed. Three concurrent digs to one server is an ordinary test, so dig gets its
 * source port from here too (`clientPort`, used with `-b`).
 *
 * A claim is an abstract Unix socket named after the port (Linux): binding the name is atomic and
 * exclusive, and the kernel frees it when the process exits, however it exits. Ports free on the
 * probe but claimed by another process are skipped, so two test files starting servers at the same
 * moment never pick the same port and share it through SO_REUSEPORT.
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';

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

/** This process's claims, held until it exits (unref'd: they keep no process alive). */
const claims = new Map<number, Server>();

/** Claims `port` for this process; false when another process holds it. Off Linux: always true (no claims). */
export function claim(port: number): Promise<boolean> {
  if (claims.has(port)) return Promise.resolve(false);
  if (process.platform !== 'linux') return Promise.resolve(true);
  const lock = createServer();
  return new Promise((resolve) => {
    lock.once('error', () => resolve(false));
    lock.listen({ path: `\0podns-test-port-${port}` }, () => {
      lock.unref();
      claims.set(port, lock);
      resolve(true);
    });
  });
}

/** A claimed port below the ephemeral range that `free` finds free. */
async function pick(free: (port: number) => Promise<boolean>, taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (taken.has(port) || claims.has(port)) continue;
    if (!await claim(port)) continue;
    if (await free(port)) {
      taken.add(port);
      return port;
    }
  }
  throw new Error(`no free port found in ${LOW}-${HIGH - 1}`);
}

/** A port free for UDP and TCP on 127.0.0.1, below the ephemeral range, claimed, not in `taken` (which it joins). */
export function serverPort(taken: Set<number> = new Set()): Promise<number> {
  return pick(async (port) => await udpFree(port) && await tcpFree(port), taken);
}

/** Client ports given back, with when; one is used again a while after (a TCP fallback's TIME_WAIT). */
const returned: Array<{ port: number; at: number }> = [];
const REUSE_AFTER_MS = 61_000;

/**
 * A UDP source port for one client process (dig's `-b 127.0.0.1#PORT`), exclusive while leased;
 * `release` gives it back when the client has exited.
 */
export async function clientPort(): Promise<{ port: number; release(): void }> {
  const head = returned[0];
  let port = -1;
  if (head !== undefined && performance.now() - head.at >= REUSE_AFTER_MS) {
    returned.shift();
    if (await udpFree(head.port)) port = head.port;
  }
  if (port < 0) port = await pick(udpFree, new Set());
  let done = false;
  return {
    port,
    release: () => {
      if (done) return;
      done = true;
      returned.push({ port, at: performance.now() });
    },
  };
}
