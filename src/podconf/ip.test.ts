import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goIPString, parseIPSloppy, strictProblems } from './ip.ts';

const str = (s: string): string | null => {
  const ip = parseIPSloppy(s);
  return ip === null ? null : goIPString(ip);
};

test('ParseIPSloppy accepts what Go 1.16 net.ParseIP did, and String() prints it as Go does', () => {
  const cases: [string, string | null][] = [
    ['10.96.0.10', '10.96.0.10'],
    ['010.096.000.010', '10.96.0.10'],
    ['1.2.3.4.5', null],
    ['256.1.1.1', null],
    ['1.2.3', null],
    ['::', '::'],
    ['::1', '::1'],
    ['FD00:10:96:0:0:0:0:A', 'fd00:10:96::a'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8::0:1', '2001:db8::1'],
    ['1:0:1:1:1:1:1:1', '1:0:1:1:1:1:1:1'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::ffff:0102:0304', '1.2.3.4'],
    ['::1.2.3.4', '::102:304'],
    ['1::2::3', null],
    ['1:2:3:4:5:6:7:8:9', null],
    ['1:2:3:4:5:6:7::8', null],
    ['00001::1', '1::1'],
    ['fe80::1%eth0', null],
    ['10.0.0.0/8', null],
    ['', null],
    ['localhost', null],
    [':1', null],
    ['1:', null],
  ];
  for (const [input, want] of cases) assert.equal(str(input), want, input);
});

test('strict validation: leading zeros and IPv4-mapped IPv6 text', () => {
  const p = (s: string): string[] => strictProblems(s, parseIPSloppy(s)!);
  assert.deepEqual(p('10.0.0.1'), []);
  assert.deepEqual(p('010.0.0.1'), ['must not have leading 0s']);
  assert.deepEqual(p('0.0.0.0'), []);
  assert.deepEqual(p('00001::1'), ['must not have leading 0s']);
  assert.deepEqual(p('::ffff:1.2.3.4'), ['must not be an IPv4-mapped IPv6 address']);
  assert.deepEqual(p('FE80::0202:B3FF:FE1E:8329'), []);
});
