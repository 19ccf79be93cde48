/**
 * The ceiling: a bare Node UDP loop that sends every datagram back with the QR bit set — what any
 * server on node:dgram pays per query before doing any work (one 'message' callback, one send).
 * It answers nothing correctly, so the runner never checks its answers; it is loaded like the
 * servers, so that podns's own cost reads as the share of the ceiling it reaches in the same run.
 * It skips dgram's per-send lookup as podns does (transport/listen.ts): the fastest loop dgram
 * allows.
 *
 *   node bench/peers/echo.ts --port 5300 [--address 127.0.0.1]
 */
import { createSocket } from 'node:dgram';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, address: { type: 'string', default: '127.0.0.1' } } });
const sock = createSocket({ type: 'udp4', lookup: (address, family, cb) => cb(null, address, family as number) });
sock.on('message', (msg, rinfo) => {
  if (msg.length < 12) return;
  msg[2] = msg[2]! | 0x80;
  sock.send(msg, rinfo.port, rinfo.address);
});
sock.bind(Number(values.port), values.address, () => process.stdout.write(`listening on ${values.address}:${values.port}\n`));
for (const s of ['SIGTERM', 'SIGINT'] as const) process.on(s, () => sock.close(() => process.exit(0)));
