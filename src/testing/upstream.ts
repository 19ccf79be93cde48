/**
 * A scripted upstream DNS server for tests: real UDP and TCP sockets on 127.0.0.1 (one port for
 * both), answering each query with whatever the test's script returns, and recording every query
 * it received (with the transport) so tests can assert what was sent upstream and how often.
 * (CoreDNS plugin/pkg/dnstest's server plays the same role.)
 */
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { decodeMessage, encodeMessage } from '../dns/message.ts';
import type { Message, ResourceRecord } from '../dns/types.ts';
import { Rcode } from '../dns/types.ts';

export type UpstreamTransport = 'udp' | 'tcp';

export interface UpstreamQuery {
  readonly msg: Message;
  readonly transport: UpstreamTransport;
  readonly at: number;
}

/**
 * What the script returns for a query: a reply message (its id is set to the query's), raw bytes
 * sent as they are, or 'drop' to stay silent (a dead or overloaded upstream).
 */
export type ScriptResult = Message | Uint8Array | 'drop';
export type Script = (q: Message, transport: UpstreamTransport) => ScriptResult | Promise<ScriptResult>;

export interface Upstream {
  readonly port: number;
  /** `HOST:PORT`, as written in a Corefile. */
  readonly address: string;
  readonly queries: UpstreamQuery[];
  /** Replaces the script (e.g. to take the upstream "down" with () => 'drop'). */
  setScript(script: Script): void;
  close(): Promise<void>;
}

/** A reply to `q` (QR, RA, RD copied) with the given parts. */
export function answerTo(q: Message, parts: { rcode?: number; answers?: ResourceRecord[]; authorities?: ResourceRecord[]; additionals?: ResourceRecord[]; tc?: boolean; ad?: boolean; aa?: boolean } = {}): Message {
  return {
    id: q.id, qr: true, opcode: q.opcode, aa: parts.aa ?? false, tc: parts.tc ?? false, rd: q.rd, ra: true, z: false,
    ad: parts.ad ?? false, cd: q.cd, rcode: parts.rcode ?? Rcode.NOERROR, questions: q.questions,
    answers: parts.answers ?? [], authorities: parts.authorities ?? [], additionals: parts.additionals ?? [],
    edns: q.edns === null ? null : { udpSize: 1232, version: 0, do: q.edns.do, extendedRcode: 0, options: [] },
  };
}

/** Starts the upstream on `host` (any 127/8 address works on Linux) and `port` (0: a free one). */
export async function startUpstream(script: Script, port = 0, host = '127.0.0.1'): Promise<Upstream> {
  let current = script;
  let closed = false;
  const queries: UpstreamQuery[] = [];
  const respond = async (bytes: Uint8Array, transport: UpstreamTransport): Promise<Uint8Array | null> => {
    let q: Message;
    try { q = decodeMessage(bytes); } catch { return null; }
    queries.push({ msg: q, transport, at: Date.now() });
    const r = await current(q, transport);
    // A reply the script was still working on when the upstream closed is not sent (nor thrown).
    if (r === 'drop' || closed) return null;
    if (r instanceof Uint8Array) return r;
    return encodeMessage({ ...r, id: q.id }, transport === 'udp' ? Math.max(512, q.edns?.udpSize ?? 512) : 65535);
  };
  const udp: UdpSocket = createSocket('udp4');
  udp.on('message', (m, rinfo) => {
    void respond(m, 'udp').then((r) => { if (r !== null) udp.send(r, rinfo.port, rinfo.address); });
  });
  await new Promise<void>((res, rej) => { udp.once('error', rej); udp.bind(port, host, () => res()); });
  const bound = udp.address().port;
  const conns = new Set<Socket>();
  const tcp: Server = createServer((c) => {
    conns.add(c);
    c.on('close', () => conns.delete(c));
    c.on('error', () => c.destroy());
    let buf = Buffer.alloc(0);
    c.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const q = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        void respond(q, 'tcp').then((r) => {
          if (r === null || c.destroyed) return;
          const frame = Buffer.alloc(2 + r.length);
          frame.writeUInt16BE(r.length, 0);
          frame.set(r, 2);
          c.write(frame);
        });
      }
    });
  });
  try {
    await new Promise<void>((res, rej) => { tcp.once('error', rej); tcp.listen(bound, host, () => res()); });
  } catch (err) {
    // The free UDP port is taken for TCP: release the UDP socket, and with port 0 try another.
    udp.close();
    if (port === 0 && (err as NodeJS.ErrnoException).code === 'EADDRINUSE') return startUpstream(script, port, host);
    throw err;
  }
  return {
    port: bound,
    address: `${host}:${bound}`,
    queries,
    setScript(s) { current = s; },
    close: () => new Promise<void>((res) => {
      closed = true;
      for (const c of conns) c.destroy();
      udp.close();
      tcp.close(() => res());
    }),
  };
}
