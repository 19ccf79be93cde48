// The helpers plugin parsers use: errors at a directive, argument checks, the Args cursor, Go
// durations, bounded integers and zone arguments.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Args, configError, expectArgs, expectNoBlock, parseDuration, parseUint, zonesFromArgs } from './directive.ts';
import { CorefileError } from './errors.ts';
import { parseCorefile } from './parser.ts';
import type { Directive } from './types.ts';

const [block] = parseCorefile(`. {
  cache 30 60 {
    success 9984 30
    prefetch
  }
  ready
}`, { file: 'Corefile', env: {} });
const cache = block!.directives[0]!;
const ready = block!.directives[1]!;
const success = cache.block![0]!;

function throwsAt(f: () => unknown, line: number, reason: string): void {
  assert.throws(f, (err: unknown) => {
    assert.ok(err instanceof CorefileError, String(err));
    assert.equal(err.file, 'Corefile');
    assert.equal(err.line, line);
    assert.equal(err.reason, reason);
    return true;
  });
}

describe('configError', () => {
  test('points at the directive, prefixed with the plugin name', () => {
    const err = configError(cache, 'bad capacity');
    assert.equal(err.message, 'Corefile:2 - Error during parsing: plugin/cache: bad capacity');
    assert.equal(err.code, 'PODNS_ERR_COREFILE');
  });
  test('a line inside a block names the plugin given', () => {
    assert.equal(configError(success, 'x', 'cache').message, 'Corefile:3 - Error during parsing: plugin/cache: x');
  });
});

describe('expectArgs / expectNoBlock', () => {
  test('in range returns the arguments', () => {
    assert.deepEqual(expectArgs(cache, 1, 2), ['30', '60']);
    assert.deepEqual(expectArgs(ready, 0), []);
  });
  test('too few / too many', () => {
    throwsAt(() => expectArgs(cache, 3), 2, "plugin/cache: Wrong argument count or unexpected line ending after '60'");
    throwsAt(() => expectArgs(ready, 1), 6, "plugin/ready: Wrong argument count or unexpected line ending after 'ready'");
    throwsAt(() => expectArgs(cache, 0, 1), 2, "plugin/cache: Wrong argument count or unexpected line ending after '60'");
    throwsAt(() => expectArgs(success, 0, 0, 'cache'), 3, "plugin/cache: Wrong argument count or unexpected line ending after '9984'");
  });
  test('expectNoBlock', () => {
    expectNoBlock(ready);
    throwsAt(() => expectNoBlock(cache), 2, "plugin/cache: 'cache' takes no block");
  });
});

describe('Args', () => {
  test('walks the arguments', () => {
    const a = new Args(cache);
    assert.equal(a.remaining, 2);
    assert.equal(a.peek(), '30');
    assert.equal(a.uint(1, 100), 30);
    assert.equal(a.optional(), '60');
    assert.equal(a.optional(), undefined);
    a.end();
    throwsAt(() => a.next(), 2, "plugin/cache: Wrong argument count or unexpected line ending after '60'");
  });
  test('rest, end with leftovers, conversions with errors at the line', () => {
    const a = new Args(cache);
    assert.equal(a.next(), '30');
    throwsAt(() => a.end(), 2, "plugin/cache: Wrong argument count or unexpected line ending after '60'");
    assert.deepEqual(a.rest(), ['60']);
    throwsAt(() => new Args(cache).duration(), 2, 'plugin/cache: time: missing unit in duration "30"');
    throwsAt(() => new Args(cache).uint(0, 10), 2, 'plugin/cache: number 30 out of range [0, 10]');
  });
  test('children keep the plugin name', () => {
    const [s, p] = new Args(cache).children();
    assert.equal(s!.directive.name, 'success');
    assert.equal(s!.next(), '9984');
    throwsAt(() => p!.next(), 4, "plugin/cache: Wrong argument count or unexpected line ending after 'prefetch'");
    assert.deepEqual(new Args(ready).children(), []);
    assert.equal(new Args(ready).error('nope').reason, 'plugin/ready: nope');
  });
});

describe('parseDuration (Go syntax, milliseconds)', () => {
  const ok: Array<[string, number]> = [
    ['0', 0], ['5s', 5000], ['1m30s', 90_000], ['500ms', 500], ['1h', 3_600_000], ['1.5h', 5_400_000],
    ['.5s', 500], ['1.s', 1000], ['2h45m', 9_900_000], ['-2s', -2000], ['+3s', 3000], ['100us', 0.1],
    ['100µs', 0.1], ['100μs', 0.1], ['1000000ns', 1], ['0s', 0], ['1m0s', 60_000],
  ];
  for (const [text, ms] of ok) test(`${JSON.stringify(text)} = ${ms} ms`, () => assert.equal(parseDuration(text), ms));
  const bad: Array<[string, string]> = [
    ['', 'time: invalid duration ""'],
    ['5', 'time: missing unit in duration "5"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['s', 'time: invalid duration "s"'],
    ['.s', 'time: invalid duration ".s"'],
    ['-', 'time: invalid duration "-"'],
    ['1s2', 'time: missing unit in duration "1s2"'],
    ['1 s', 'time: unknown unit " s" in duration "1 s"'],
    ['3000000h', 'time: invalid duration "3000000h"'],
  ];
  for (const [text, message] of bad) {
    test(`${JSON.stringify(text)} is an error`, () => assert.throws(() => parseDuration(text), { name: 'RangeError', message }));
  }
});

describe('parseUint', () => {
  test('bounds and syntax', () => {
    assert.equal(parseUint('0'), 0);
    assert.equal(parseUint('65535', 1, 65535), 65535);
    assert.equal(parseUint('007'), 7);
    assert.throws(() => parseUint('65536', 1, 65535), { name: 'RangeError', message: 'number 65536 out of range [1, 65535]' });
    assert.throws(() => parseUint('0', 1, 10), { message: 'number 0 out of range [1, 10]' });
    for (const t of ['-1', '1.5', '', 'ten', '+1', '1e3']) assert.throws(() => parseUint(t), { message: `invalid number ${JSON.stringify(t)}` });
  });
});

describe('zonesFromArgs', () => {
  const d: Directive = { name: 'kubernetes', args: [], block: null, file: 'Corefile', line: 7 };
  test('normalises, expands CIDRs, drops scheme and port, removes duplicates', () => {
    assert.deepEqual(zonesFromArgs(['Cluster.Local', 'in-addr.arpa', 'ip6.arpa.', '10.0.0.0/23', 'dns://x.org:53', 'cluster.local.', 'fd00::/64:53'], d), [
      'cluster.local.', 'in-addr.arpa.', 'ip6.arpa.', '0.0.10.in-addr.arpa.', '1.0.10.in-addr.arpa.', 'x.org.',
      '0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.',
    ]);
  });
  test('an invalid zone is an error at the directive', () => {
    throwsAt(() => zonesFromArgs(['a..b'], d), 7, 'plugin/kubernetes: zone "a..b" is not a valid domain name (empty label)');
    throwsAt(() => zonesFromArgs(['10.0.0.0/40'], d, 'forward'), 7, 'plugin/forward: invalid CIDR "10.0.0.0/40"');
  });
});
