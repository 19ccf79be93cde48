// listenUdp under a burst: queries that arrive while the event loop is busy (a garbage-collection
// pause, a long chain run) wait in the socket's receive buffer instead of being dropped.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { silentLogger } from '../core/log.ts';
import { listenUdp } from './listen.ts';

/** A child process that sends `count` 40-byte datagrams at once, then counts the replies (until all came or `waitMs`). */
const BURST = `
const dgram = require('node:dgram');
const [port, count, waitMs] = process.argv.slice(1).map(Number);
const s = dgram.createSocket('udp4');
let got = 0;
const done = () => { process.stdout.write(String(got) + '\\n'); s.close(); };
s.on('message', () => { if (++got === count) done(); });
s.bind(0, '127.0.0.1', () => {
  s.setSendBufferSize(4 * 1024 * 1024);
  s.setRecvBufferSize(4 * 1024 * 1024);
  process.stdout.write('sending\\n');
  const q = Buffer.alloc(40, 1);
  for (let i = 0; i < count; i++) { q.writeUInt16BE(i, 0); s.send(Buffer.from(q), port, '127.0.0.1'); }
  setTimeout(() => { if (got < count) done(); }, waitMs).unref();
});
`;

test('a burst of 1000 queries arriving while the event loop is blocked is answered in full', async () => {
  const listener = await listenUdp('127.0.0.1', 0, (q) => q, silentLogger);
  try {
    const child = spawn(process.execPath, ['-e', BURST, String(listener.port), '1000', '5000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    await new Promise<void>((resolve) => child.stdout.on('data', (c: Buffer) => { out += c.toString(); if (out.includes('sending')) resolve(); }));
    // Busy for 300 ms: every datagram of the burst arrives meanwhile and must wait in the buffer.
    const until = Date.now() + 300;
    while (Date.now() < until) { /* blocked */ }
    await new Promise<void>((resolve) => child.once('close', () => resolve()));
    assert.equal(Number(out.trim().split('\n').at(-1)), 1000);
  } finally {
    await listener.close();
  }
});
