// The hosts stanza: good stanzas → options with every default resolved; bad ones → CoreDNS's
// error text at the offending line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import { hostsPlugin, parseHosts } from './index.ts';

function parse(stanza: string, keys = '.') {
  const block = parseCorefile(`${keys} {\n${stanza}\n}\n`, { file: 'Corefile' })[0]!;
  return parseHosts(block.directives[0]!, block.keys.flatMap((k) => k.zones));
}

test('hosts: stanzas and their options', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['hosts', { path: '/etc/hosts', origins: ['.'], ttl: 3600, reloadMs: 5000, autoReverse: true, fallthrough: null, fallthroughUnsupported: false, inlineLines: [] }],
    ['hosts /tmp', { path: '/tmp', origins: ['.'] }],
    ['hosts /etc/hosts miek.nl.', { origins: ['miek.nl.'] }],
    ['hosts /etc/hosts Miek.NL pun.gent.', { origins: ['miek.nl.', 'pun.gent.'] }],
    ['hosts /etc/hosts miek.nl 10.0.0.9/8', { origins: ['miek.nl.', '10.in-addr.arpa.'] }],
    ['hosts {\nfallthrough\n}', { path: '/etc/hosts', fallthrough: ['.'] }],
    ['hosts /etc/hosts miek.nl. {\nfallthrough in-addr.arpa Example.ORG\n}', { fallthrough: ['in-addr.arpa.', 'example.org.'] }],
    ['hosts {\nttl 60\nno_reverse\nreload 300ms\n}', { ttl: 60, autoReverse: false, reloadMs: 300 }],
    ['hosts {\nttl +65535\n}', { ttl: 65535 }],
    ['hosts {\nreload 0\n}', { reloadMs: 0 }],
    ['hosts {\nreload 1.5h\n}', { reloadMs: 5_400_000 }],
    ['hosts {\nfallthrough\nfallthrough_unsupported\n}', { fallthrough: ['.'], fallthroughUnsupported: true }],
    ['hosts {\nfallthrough_unsupported\nfallthrough example.org\n}', { fallthrough: ['example.org.'], fallthroughUnsupported: true }],
    // Inline entries: every line that is not an option, until `fallthrough`.
    ['hosts highly_unlikely_to_exist example.org {\n10.0.0.1 example.org\nfallthrough\n}', { path: 'highly_unlikely_to_exist', inlineLines: ['10.0.0.1 example.org'], fallthrough: ['.'] }],
    ['hosts {\n10.0.0.1 a.example.org b.example.org\nttl 5\n::1 localhost\n}', { inlineLines: ['10.0.0.1 a.example.org b.example.org', '::1 localhost'], ttl: 5 }],
  ];
  for (const [stanza, want] of cases) {
    const got = parse(stanza) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k], v, `${stanza}: ${k}`);
  }
});

test('hosts: origins default to the server block zones', () => {
  assert.deepEqual(parse('hosts', 'example.org example.net').origins, ['example.org.', 'example.net.']);
});

test('hosts: inline entries are parsed against the zones and no_reverse, wherever no_reverse is', () => {
  const o = parse('hosts /nonexistent example.org {\n10.0.0.1 a.example.org other.net\n::1 b.example.org\nno_reverse\n}');
  assert.deepEqual([...o.inline.name4], [['a.example.org.', ['10.0.0.1']]]);
  assert.deepEqual([...o.inline.name6], [['b.example.org.', ['::1']]]);
  assert.equal(o.inline.addr.size, 0);
  const r = parse('hosts /nonexistent example.org {\n10.0.0.1 a.example.org\n}');
  assert.deepEqual([...r.inline.addr], [['10.0.0.1', ['a.example.org.']]]);
});

test('hosts: bad stanzas are errors at their line, worded as CoreDNS words them', () => {
  const cases: Array<[string, RegExp]> = [
    ['hosts {\nttl\n}', / Corefile:3 - Error during setup: plugin\/hosts: ttl needs a time in second$/],
    ['hosts {\nttl abc\n}', / Corefile:3 - Error during setup: plugin\/hosts: ttl needs a number of second$/],
    ['hosts {\nttl 0\n}', / Corefile:3 - Error during setup: plugin\/hosts: ttl provided is invalid$/],
    ['hosts {\nttl 65536\n}', /ttl provided is invalid$/],
    ['hosts {\nttl -5\n}', /ttl provided is invalid$/],
    ['hosts {\nreload\n}', / Corefile:3 - Error during setup: plugin\/hosts: reload needs a duration \(zero seconds to disable\)$/],
    ['hosts {\nreload 1s 2s\n}', /reload needs a duration/],
    ['hosts {\nreload 5\n}', /invalid duration for reload '5'$/],
    ['hosts {\nreload -1s\n}', /invalid negative duration for reload '-1s'$/],
    ['hosts {\nfallthrough\n10.0.0.1 example.org\n}', / Corefile:4 - Error during setup: plugin\/hosts: unknown property '10.0.0.1'$/],
    ['hosts {\nfallthrough_unsupported\n}', / Corefile:2 - Error during setup: plugin\/hosts: fallthrough_unsupported requires fallthrough$/],
    ['hosts {\nfallthrough\nfallthrough_unsupported now\n}', /Wrong argument count/],
    ['hosts /etc/hosts 10.0.0.0/99', / Corefile:2 - Error during setup: plugin\/hosts: /],
  ];
  for (const [stanza, re] of cases) assert.throws(() => parse(stanza), re, stanza);
});

test('hosts: once per server block', async () => {
  assert.equal(hostsPlugin.once, true);
  const { DnsServer } = await import('../../server/server.ts');
  const { silentLogger } = await import('../../core/log.ts');
  assert.throws(
    () => DnsServer.create(parseCorefile('. {\nhosts\nhosts\n}\n', { file: 'Corefile' }), { manifests: [], log: silentLogger, defaultBind: ['127.0.0.1'] }),
    /Corefile:3 - Error during setup: plugin\/hosts: this plugin can only be used once per Server Block/,
  );
});
