/**
 * What the fuzzer runs each input through, and what counts as a finding: anything thrown that is
 * not the decoder's WireError, a reply podns cannot read back itself, a UDP reply larger than the
 * query allowed, or an answer that takes longer than a second (a hang).
 *
 *   decode   the wire codec alone: decodeMessage, and for what it accepts, encodeMessage of the
 *            result; the header checks the hot path makes before decoding (inspectQuery,
 *            questionKey, errorReply)
 *   server   the whole query path of a DnsServer over examples/cluster, in-process (ask(): header
 *            checks, answer cache, decode, zone routing, the plugin chain, encode, reply
 *            transforms), over UDP and TCP, from a pod's address and from elsewhere
 *
 * Imported only after coverage.ts has installed its hook, so that these modules are instrumented.
 */
import { join } from 'node:path';
import { errorReply, inspectQuery, questionKey } from '../src/dns/header.ts';
import { WireError, decodeMessage, encodeMessage } from '../src/dns/message.ts';
import { RRType, Rcode } from '../src/dns/types.ts';
import type { Message } from '../src/dns/types.ts';

export type Target = (data: Uint8Array) => void | Promise<void>;

export class Finding extends Error {}

function decodeTarget(data: Uint8Array): void {
  inspectQuery(data);
  questionKey(data);
  if (data.length >= 12) {
    const e = errorReply(data, Rcode.FORMERR);
    if (e !== null && e.length > Math.max(data.length, 12) + 11) throw new Finding(`errorReply is ${e.length} octets for a ${data.length}-octet query`);
  }
  let m: Message;
  try {
    m = decodeMessage(data);
  } catch (err) {
    if (err instanceof WireError) return;
    throw err;
  }
  try {
    const again = encodeMessage(m);
    decodeMessage(again);
  } catch (err) {
    if (!(err instanceof WireError)) throw err;
    // A message podns read, it must be able to write (within the 64 KiB message size).
    if (!/does not fit/.test(err.message)) throw new Finding(`decoded but cannot be encoded again: ${err.message}`);
  }
}

const COREFILE = `
cluster.local:53 in-addr.arpa:53 ip6.arpa:53 {
    errors
    any
    autopath @kubernetes
    acl {
        block type AXFR IXFR net 192.0.2.0/24
        filter type TXT net *
        allow net 10.244.0.0/16
    }
    acl ip6.arpa {
        drop net 192.0.2.77/32
    }
    rewrite name regex (.*)\\.alias\\.cluster\\.local {1}.shop.svc.cluster.local answer auto
    loadbalance
    cache 30
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods verified
        endpoint_pod_names
        fallthrough in-addr.arpa ip6.arpa
    }
    hosts {
        10.0.0.1 fixed.cluster.local
        fallthrough
    }
}
.:53 {
    any
    filter_aaaa
    hosts {
        192.0.2.1 outside.example
    }
}
`;

const POD = { address: '10.244.1.10', port: 40000, family: 4 as const };
const OTHER = { address: '192.0.2.77', port: 40001, family: 4 as const };

/**
 * The whole query path: a DnsServer over examples/cluster, answering in-process. The server's
 * modules are imported here, so that a decode run neither loads nor counts them.
 */
async function serverTarget(root: string): Promise<Target> {
  const { parseCorefile } = await import('../src/corefile/index.ts');
  const { silentLogger } = await import('../src/core/log.ts');
  const { DnsServer } = await import('../src/server/server.ts');
  const server = DnsServer.create(parseCorefile(COREFILE, { file: 'fuzz Corefile' }), {
    manifests: [join(root, 'examples/cluster')], log: silentLogger, defaultBind: ['127.0.0.1'], httpAddress: () => '127.0.0.1:0',
  });
  await server.prepare();
  let n = 0;
  return async (data) => {
    n++;
    const transport = (n & 1) === 0 ? 'udp' : 'tcp';
    const client = (n & 2) === 0 ? POD : OTHER;
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Finding('no answer within 1 s')), 1000); });
    try {
      const { reply } = await Promise.race([server.ask(data, client, transport), hang]);
      const replies = reply === null ? [] : reply instanceof Uint8Array ? [reply] : reply;
      for (const r of replies) {
        let m: Message;
        try {
          m = decodeMessage(r);
        } catch (err) {
          throw new Finding(`a reply podns cannot read back: ${(err as Error).message}`);
        }
        if (transport === 'udp') {
          let limit = 512;
          try { limit = Math.max(512, decodeMessage(data).edns?.udpSize ?? 512); } catch { /* an error reply to an unreadable query */ }
          if (r.length > Math.max(limit, data.length)) throw new Finding(`a ${r.length}-octet UDP reply where ${limit} were allowed`);
        }
        if (m.id !== ((data[0]! << 8) | data[1]!)) throw new Finding('a reply with another ID');
      }
    } finally {
      clearTimeout(timer);
    }
  };
}

export async function target(name: string, root: string): Promise<Target> {
  if (name === 'decode') return decodeTarget;
  if (name === 'server') return serverTarget(root);
  throw new Error(`unknown target ${JSON.stringify(name)} (decode or server)`);
}

/** Real queries and replies to start from: podns's own encoding of typical questions and answers. */
export function seeds(): Uint8Array[] {
  const names = ['web.shop.svc.cluster.local.', '_http._tcp.web.shop.svc.cluster.local.', 'db-0.db.shop.svc.cluster.local.',
    '10.100.96.10.in-addr.arpa.', 'google.com.shop.svc.cluster.local.', 'outside.example.', 'x.alias.cluster.local.', 'cluster.local.'];
  const types = [RRType.A, RRType.AAAA, RRType.SRV, RRType.PTR, RRType.ANY, RRType.SOA, RRType.NS, RRType.TXT];
  const out: Uint8Array[] = [];
  for (const [i, name] of names.entries()) {
    for (const [j, type] of types.entries()) {
      if ((i + j) % 3 !== 0) continue;
      const q: Message = {
        id: i * 16 + j, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
        questions: [{ name, type, class: 1 }], answers: [], authorities: [], additionals: [],
        edns: j % 2 === 0 ? null : { udpSize: 1232, version: 0, do: j % 4 === 1, extendedRcode: 0, options: j % 4 === 3 ? [{ code: 10, data: new Uint8Array(8).fill(7) }] : [] },
      };
      out.push(encodeMessage(q));
      out.push(encodeMessage({
        ...q, qr: true, aa: true,
        answers: [{ name, type: RRType.A, class: 1, ttl: 30, data: '10.96.0.10' }, { name, type: RRType.CNAME, class: 1, ttl: 30, data: `x.${name}` }],
        authorities: [{ name: 'cluster.local.', type: RRType.SOA, class: 1, ttl: 5, data: { mname: 'ns.dns.cluster.local.', rname: 'hostmaster.cluster.local.', serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 } }],
      } as Message));
    }
  }
  return out;
}
