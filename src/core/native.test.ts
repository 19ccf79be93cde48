// trimNativeHeap(): memory freed to malloc leaves the process's RSS.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { native } from './native.ts';

test('trimNativeHeap: C heap memory freed by the process leaves its RSS', { skip: native.addon === null ? native.reason : false }, async () => {
  // In a child with --expose-gc: 64 MiB of 64 KiB ArrayBuffers (malloc'd, below glibc's mmap
  // threshold, so they come from the heap glibc keeps), dropped and collected; then RSS before
  // and after one trim.
  const code = `
    import { readFileSync } from 'node:fs';
    import { trimNativeHeap } from ${JSON.stringify(new URL('./native.ts', import.meta.url).href)};
    const rss = () => Number(/^VmRSS:\\s+(\\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
    let keep = [];
    for (let i = 0; i < 1024; i++) new Uint8Array(keep[i] = new ArrayBuffer(65536)).fill(1);
    keep = null;
    globalThis.gc(); globalThis.gc();
    const before = rss();
    const released = trimNativeHeap();
    console.log(JSON.stringify({ released, before, after: rss() }));`;
  const out = await new Promise<string>((res, rej) => {
    execFile(process.execPath, ['--expose-gc', '--input-type=module', '-e', code], (err, stdout, stderr) => (err ? rej(new Error(`${err.message}\n${stderr}`)) : res(stdout)));
  });
  const { released, before, after } = JSON.parse(out) as { released: boolean; before: number; after: number };
  assert.equal(released, true);
  assert.ok(before - after > 32, `RSS ${before.toFixed(1)} → ${after.toFixed(1)} MiB`);
});
