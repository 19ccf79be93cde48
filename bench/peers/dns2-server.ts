/**
 * The JavaScript peer: a minimal authoritative UDP server built on the npm `dns2` package, serving
 * the benchmark's zone files from memory (bench/zone.ts's ZoneSet: RRsets by name and type,
 * NODATA, NXDOMAIN with the SOA, REFUSED outside the zones, SRV targets' addresses as
 * additionals, AA set). It is what a small Node DNS server written with the most used npm
 * server library looks like; every answer is built as a dns2 Packet and serialised per query.
 *
 *   node bench/peers/dns2-server.ts --port 5300 [--address 127.0.0.1] ZONEFILE...
 *
 * Prints `listening on ADDRESS:PORT` once bound; stops on SIGTERM/SIGINT.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Packet, createServer } from 'dns2';
import type { DnsServer, Resource } from 'dns2';
import { ZoneSet, parseZoneFile } from '../zone.ts';
import type { Rec, Zone } from '../zone.ts';

const RCODE: Record<string, number> = { NOERROR: 0, NXDOMAIN: 3, REFUSED: 5 };

/** A zone-file record as the dns2 Resource that encodes it (names without the trailing dot). */
function toResource(r: Rec): Resource {
  const bare = (n: string): string => n.replace(/\.$/, '');
  const base = { name: bare(r.name), ttl: r.ttl, class: Packet.CLASS.IN };
  const f = r.data.split(' ');
  switch (r.type) {
    case 'A': return { ...base, type: Packet.TYPE.A, address: r.data } as Resource;
    case 'AAAA': return { ...base, type: Packet.TYPE.AAAA, address: r.data } as Resource;
    case 'NS': return { ...base, type: Packet.TYPE.NS, ns: bare(r.data) } as Resource;
    case 'TXT': return { ...base, type: Packet.TYPE.TXT, data: r.data.replace(/^"|"$/g, '') } as Resource;
    case 'SRV': return { ...base, type: Packet.TYPE.SRV, priority: Number(f[0]), weight: Number(f[1]), port: Number(f[2]), target: bare(f[3]!) } as Resource;
    case 'SOA': return {
      ...base, type: Packet.TYPE.SOA, primary: bare(f[0]!), admin: bare(f[1]!),
      serial: Number(f[2]), refresh: Number(f[3]), retry: Number(f[4]), expiration: Number(f[5]), minimum: Number(f[6]),
    } as Resource;
    default: throw new Error(`dns2 peer: unsupported record type ${r.type}`);
  }
}

export interface Dns2Peer {
  readonly server: DnsServer;
  close(): Promise<void>;
}

/** Starts the peer on UDP `address:port` (port 0: any free port; read server.addresses()). */
export async function startDns2Peer(zones: readonly Zone[], port: number, address = '127.0.0.1'): Promise<Dns2Peer> {
  const zoneSet = new ZoneSet(zones);
  const typeName = Packet.TYPE_NAME;
  // Resources are converted once per record, not per query.
  const converted = new Map<Rec, Resource>();
  const resource = (r: Rec): Resource => {
    let res = converted.get(r);
    if (res === undefined) converted.set(r, (res = toResource(r)));
    return res;
  };
  const server = createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const q = request.questions[0];
      if (q === undefined) {
        response.header.rcode = 1; // FORMERR
        void send(response);
        return;
      }
      const answer = zoneSet.lookup(`${q.name.toLowerCase()}.`, typeName[q.type] ?? String(q.type));
      response.header.aa = answer.rcode === 'REFUSED' ? 0 : 1;
      response.header.rcode = RCODE[answer.rcode]!;
      // Owner names echo the question's spelling for the answer RRset (as knot and podns do).
      response.answers = answer.answers.map((r) => ({ ...resource(r), name: q.name }) as Resource);
      response.authorities = answer.authorities.map(resource);
      response.additionals = answer.additionals.map(resource);
      void send(response);
    },
  });
  server.on('requestError', () => { /* undecodable query: dropped, as dns2 does */ });
  await server.listen({ udp: { port, address } });
  return { server, close: () => server.close() };
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    options: { port: { type: 'string' }, address: { type: 'string', default: '127.0.0.1' } },
    allowPositionals: true,
  });
  if (values.port === undefined || positionals.length === 0) {
    process.stderr.write('usage: node bench/peers/dns2-server.ts --port N [--address A] ZONEFILE...\n');
    process.exit(2);
  }
  const zones = positionals.map((f) => parseZoneFile(readFileSync(f, 'utf8')));
  const peer = await startDns2Peer(zones, Number(values.port), values.address);
  const stop = (): void => { void peer.close().then(() => process.exit(0)); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`listening on ${values.address}:${values.port}\n`);
}
