/**
 * The transfer stanza: parse table (good stanzas → options, bad ones → CoreDNS-like errors at
 * file:line) and the client matcher built from `to`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCorefile } from '../../corefile/index.ts';
import type { Directive } from '../../corefile/index.ts';
import { compileAcl, parseTransfer } from './setup.ts';
import type { TransferOptions } from './setup.ts';

function directive(text: string): { d: Directive; zones: readonly string[] } {
  const [block] = parseCorefile(text, { file: 'Corefile' });
  const d = block!.directives.find((x) => x.name === 'transfer');
  assert.ok(d !== undefined);
  return { d, zones: block!.keys.flatMap((k) => k.zones) };
}

function parse(text: string): TransferOptions {
  const { d, zones } = directive(text);
  return parseTransfer(d, zones);
}

const good: Array<[string, TransferOptions]> = [
  ['cluster.local {\n transfer {\n  to *\n }\n}', { zones: ['cluster.local.'], to: ['*'] }],
  ['cluster.local example.org {\n transfer {\n  to *\n }\n}', { zones: ['cluster.local.', 'example.org.'], to: ['*'] }],
  ['. {\n transfer Cluster.Local {\n  to 10.0.0.1\n }\n}', { zones: ['cluster.local.'], to: ['10.0.0.1:53'] }],
  ['. {\n transfer {\n  to 10.0.0.1:5300 [2001:DB8::1]:53 2001:db8::0:2\n }\n}',
    { zones: ['.'], to: ['10.0.0.1:5300', '[2001:db8::1]:53', '[2001:db8::2]:53'] }],
  ['. {\n transfer {\n  to 10.0.0.1\n  to 10.0.0.2 *\n }\n}', { zones: ['.'], to: ['10.0.0.1:53', '10.0.0.2:53', '*'] }],
  ['. {\n transfer {\n  to 10.1.2.3/8 fd00::1/64 192.0.2.7/32\n }\n}', { zones: ['.'], to: ['10.0.0.0/8', 'fd00::/64', '192.0.2.7/32'] }],
  ['. {\n transfer {\n  to ::ffff:10.0.0.1\n }\n}', { zones: ['.'], to: ['10.0.0.1:53'] }],
  ['. {\n transfer 10.0.0.0/24 {\n  to *\n }\n}', { zones: ['0.0.10.in-addr.arpa.'], to: ['*'] }],
];

const bad: Array<[string, string]> = [
  ['. {\n transfer\n}', "Corefile:2 - Error during setup: plugin/transfer: 'to' is required"],
  ['. {\n transfer {\n }\n}', "Corefile:2 - Error during setup: plugin/transfer: 'to' is required"],
  ['. {\n transfer {\n  to\n }\n}', "Corefile:3 - Error during setup: plugin/transfer: Wrong argument count or unexpected line ending after 'to'"],
  ['. {\n transfer {\n  to example.org\n }\n}', "Corefile:3 - Error during setup: plugin/transfer: must specify an IP address: `example.org'"],
  ['. {\n transfer {\n  to 10.0.0.1:http\n }\n}', 'Corefile:3 - Error during setup: plugin/transfer: invalid port in "10.0.0.1:http"'],
  ['. {\n transfer {\n  to 10.0.0.0/33\n }\n}', "Corefile:3 - Error during setup: plugin/transfer: must specify an IP address or a CIDR: `10.0.0.0/33'"],
  ['. {\n transfer {\n  to *\n  from 10.0.0.1\n }\n}', 'Corefile:4 - Error during setup: plugin/transfer: unknown property "from"'],
  ['. {\n transfer {\n  to * {\n   x\n  }\n }\n}', "Corefile:3 - Error during setup: plugin/transfer: 'to' takes no block"],
];

describe('transfer: parse', () => {
  for (const [text, want] of good) {
    it(`accepts ${JSON.stringify(text)}`, () => assert.deepEqual(parse(text), want));
  }
  for (const [text, message] of bad) {
    it(`rejects ${JSON.stringify(text)}`, () => assert.throws(() => parse(text), (err: Error) => {
      assert.equal(err.message, message);
      return true;
    }));
  }
});

describe('transfer: who may transfer', () => {
  const cases: Array<[string[], string, boolean]> = [
    [['*'], '203.0.113.9', true],
    [['*'], '::1', true],
    [['10.0.0.1:53'], '10.0.0.1', true],
    [['10.0.0.1:53'], '::ffff:10.0.0.1', true],
    [['10.0.0.1:53'], '10.0.0.2', false],
    [['[2001:db8::1]:53'], '2001:DB8:0::1', true],
    [['[2001:db8::1]:53'], '2001:db8::2', false],
    [['10.0.0.0/8'], '10.255.1.2', true],
    [['10.0.0.0/8'], '11.0.0.1', false],
    [['10.0.0.0/8'], '::ffff:10.1.1.1', true],
    [['fd00::/64'], 'fd00::abcd', true],
    [['fd00::/64'], 'fd00:0:0:1::1', false],
    [['fd00::/64'], '10.0.0.1', false],
    [['0.0.0.0/0'], '198.51.100.1', true],
    [['192.0.2.7/32', '10.0.0.1:53'], '192.0.2.7', true],
    [['192.0.2.7/32', '10.0.0.1:53'], '192.0.2.8', false],
    [['10.0.0.1:53'], 'not-an-ip', false],
  ];
  for (const [to, client, want] of cases) {
    it(`${JSON.stringify(to)} ${want ? 'allows' : 'refuses'} ${client}`, () => assert.equal(compileAcl(to)(client), want));
  }
});
