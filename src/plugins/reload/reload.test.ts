import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import { testContext } from '../../testing/context.ts';
import { parseReload, setupReload } from './index.ts';

const directive = (line: string) => parseCorefile(`. {\n${line}\n}\n`, { file: 'Corefile' })[0]!.directives[0]!;

test('reload: interval and jitter, with the jitter drawn once and capped at half the interval', () => {
  const cases: Array<[string, number, number, number]> = [
    // line, random(), interval ms, jitter ms → intervalMs = interval + floor(r*jitter) - jitter/2
    ['reload', 0, 30_000, 15_000],
    ['reload 10s', 0.5, 10_000, 5_000],
    ['reload 2s 1s', 0.999, 2_000, 1_000],
    ['reload 4s 10s', 0, 4_000, 2_000],
    ['reload 1m 20s', 0.25, 60_000, 20_000],
  ];
  for (const [line, r, interval, jitter] of cases) {
    const o = parseReload(directive(line), () => r);
    assert.equal(o.baseIntervalMs, interval, line);
    assert.equal(o.jitterMs, jitter, line);
    assert.equal(o.intervalMs, interval + Math.floor(r * jitter) - jitter / 2, line);
  }
});

test('reload: bad stanzas are errors at the directive', () => {
  const cases: Array<[string, RegExp]> = [
    ['reload 1s', /Corefile:2 - Error during setup: plugin\/reload: interval value must be greater or equal to 2s$/],
    ['reload 10s 500ms', /jitter value must be greater or equal to 1s/],
    ['reload 10s 2s 3s', /Wrong argument count/],
    ['reload ten', /invalid duration "ten"/],
  ];
  for (const [line, re] of cases) assert.throws(() => parseReload(directive(line)), re, line);
});

test('reload: polls ctx.reload every interval once listening, counts failures, stops on shutdown', async () => {
  let calls = 0;
  const ctx = testContext({
    reload: () => { calls++; return Promise.resolve({ status: 'failed', error: new Error('Corefile:3 - Error during setup: boom') }); },
  });
  setupReload({ intervalMs: 20, baseIntervalMs: 2000, jitterMs: 1000 }, ctx);
  assert.equal(calls, 0);
  await ctx.start();
  await new Promise((r) => setTimeout(r, 110));
  await ctx.stop();
  const seen = calls;
  assert.ok(seen >= 2, `expected several polls, got ${seen}`);
  assert.ok(ctx.lines.some((l) => l === '[ERROR] plugin/reload: Corefile changed but reload failed: Corefile:3 - Error during setup: boom'), ctx.lines.join('\n'));
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(calls, seen, 'no polling after shutdown');
});
