// Go's time.Duration.String(), which CoreDNS's log lines print.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { goDuration, goDurationMs } from './duration.ts';

describe("Go's Duration.String", () => {
  const cases: Array<[number, string]> = [
    [0, '0s'], [500, '500ns'], [1500, '1.5µs'], [300e6, '300ms'], [1.5e6, '1.5ms'], [30e9, '30s'], [1.5e9, '1.5s'],
    [300e9, '5m0s'], [90e9, '1m30s'], [3600e9, '1h0m0s'], [5445e9, '1h30m45s'], [-2e9, '-2s'],
  ];
  for (const [ns, want] of cases) test(want, () => assert.equal(goDuration(ns), want));
});

test('goDurationMs takes milliseconds, as parseDuration returns them', () => {
  assert.equal(goDurationMs(5000), '5s');
  assert.equal(goDurationMs(250), '250ms');
});
