import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  fqdn, inZones, isFqdn, matchLowerZone, isSubdomain, isValidName, joinName, labelCount, labels, lowerName, nameEquals,
  nameWireLength, parentName, relativeLabels, validateName,
} from './name.ts';

test('lowerName folds ASCII only and returns the same string when nothing changes', () => {
  assert.equal(lowerName('Web.Shop.SVC.cluster.local.'), 'web.shop.svc.cluster.local.');
  const already = 'web.shop.';
  assert.equal(lowerName(already), already);
  // Non-ASCII characters are left alone (U+0130 would become two chars with toLowerCase).
  assert.equal(lowerName('A\u0130B\u00c9.'), 'a\u0130b\u00c9.');
  assert.equal(lowerName('\\065BC.'), '\\065bc.', 'escapes are kept as written');
});

test('nameEquals is ASCII case-insensitive', () => {
  assert.equal(nameEquals('Example.COM.', 'example.com.'), true);
  assert.equal(nameEquals('example.com.', 'example.org.'), false);
  assert.equal(nameEquals('example.com', 'example.com.'), false);
  assert.equal(nameEquals('\u00c9.', '\u00e9.'), false);
});

test('isSubdomain table', () => {
  const cases: [string, string, boolean][] = [
    ['web.shop.svc.cluster.local.', 'cluster.local.', true],
    ['cluster.local.', 'cluster.local.', true],
    ['CLUSTER.Local.', 'cluster.LOCAL.', true],
    ['xcluster.local.', 'cluster.local.', false],
    ['local.', 'cluster.local.', false],
    ['anything.example.', '.', true],
    ['.', '.', true],
    ['.', 'example.', false],
    ['a\\.cluster.local.', 'cluster.local.', false], // labels "a\.cluster", "local"
    ['a\\.cluster.local.', 'local.', true],
    ['a\\.cluster.local.', 'a.cluster.local.', false],
    ['a\\\\.cluster.local.', 'cluster.local.', true], // label "a\" then cluster.local.
    ['x\\.local.', 'local.', false], // one label "x\.local"
    ['x\\.local.', 'x\\.local.', true],
    ['x\\.local.', 'x.local.', false],
    ['web.cluster.local', 'cluster.local', true], // relative spellings are treated as absolute
  ];
  for (const [name, zone, want] of cases) assert.equal(isSubdomain(name, zone), want, `${name} in ${zone}`);
});

test('labels, labelCount, parentName and relativeLabels respect escapes', () => {
  assert.deepEqual(labels('web.shop.svc.'), ['web', 'shop', 'svc']);
  assert.deepEqual(labels('.'), []);
  assert.deepEqual(labels('a\\.b.c.'), ['a\\.b', 'c']);
  assert.deepEqual(labels('a\\\\.b.'), ['a\\\\', 'b']);
  assert.deepEqual(labels('x\\046y.z'), ['x\\046y', 'z']);
  assert.equal(labelCount('.'), 0);
  assert.equal(labelCount('a\\.b.c.'), 2);
  assert.equal(labelCount('a.b.c'), 3);
  assert.equal(parentName('a.b.c.'), 'b.c.');
  assert.equal(parentName('a\\.b.c.'), 'c.');
  assert.equal(parentName('c.'), '.');
  assert.equal(parentName('.'), null);
  assert.deepEqual(relativeLabels('web.Shop.svc.cluster.local.', 'cluster.local.'), ['web', 'Shop', 'svc']);
  assert.deepEqual(relativeLabels('cluster.local.', 'Cluster.Local.'), []);
  assert.equal(relativeLabels('example.com.', 'cluster.local.'), null);
  assert.deepEqual(relativeLabels('a.b.', '.'), ['a', 'b']);
});

test('joinName, fqdn and isFqdn', () => {
  assert.equal(joinName('_http', '_tcp', 'web.shop.svc.cluster.local.'), '_http._tcp.web.shop.svc.cluster.local.');
  assert.equal(joinName('web', 'shop.svc', 'cluster.local'), 'web.shop.svc.cluster.local.');
  assert.equal(joinName('web', '', '.', 'local.'), 'web.local.');
  assert.equal(joinName(), '.');
  assert.equal(fqdn('a.b'), 'a.b.');
  assert.equal(fqdn('a.b.'), 'a.b.');
  assert.equal(fqdn(''), '.');
  assert.equal(fqdn('a\\.'), 'a\\..', 'an escaped final dot is not the root separator');
  assert.equal(isFqdn('a\\\\.'), true);
  assert.equal(isFqdn('a\\.'), false);
});

test('nameWireLength and validateName enforce RFC 1035 §2.3.4 limits and §5.1 escapes', () => {
  const l63 = 'a'.repeat(63);
  const cases: [string, number, boolean][] = [
    ['.', 1, true],
    ['example.', 9, true],
    ['example', 9, true],
    ['a\\.b.', 5, true],
    ['\\000\\255.', 4, true],
    [`${l63}.`, 65, true],
    [`${'a'.repeat(64)}.`, -1, false],
    [`${'\\097'.repeat(64)}.`, -1, false], // 64 octets spelled as escapes
    [`${l63}.${l63}.${l63}.${'d'.repeat(61)}.`, 255, true],
    [`${l63}.${l63}.${l63}.${'d'.repeat(62)}.`, 256, false],
    ['a..b.', -1, false],
    ['.a.', -1, false],
    ['a\\', -1, false],
    ['a\\25.', -1, false],
    ['a\\256.', -1, false],
    ['caf\u00e9.', 6, true],
    ['\u4e2d.', -1, false],
  ];
  for (const [name, len, ok] of cases) {
    assert.equal(nameWireLength(name), len, `length of ${name}`);
    assert.equal(isValidName(name), ok, `validity of ${name}`);
    assert.equal(validateName(name) === null, ok);
  }
  assert.match(validateName('') ?? '', /empty/);
  assert.match(validateName(`${l63}.${l63}.${l63}.${'d'.repeat(62)}.`) ?? '', /256 octets/);
});

test('inZones: in any of the zones, label-aware; the root holds every name; none for no zones', () => {
  assert.equal(inZones('web.shop.svc.cluster.local.', ['example.org.', 'cluster.local.']), true);
  assert.equal(inZones('Web.Cluster.Local.', ['cluster.local.']), true);
  assert.equal(inZones('xcluster.local.', ['cluster.local.']), false);
  assert.equal(inZones('example.com.', ['.']), true);
  assert.equal(inZones('example.com.', []), false);
});

test('matchLowerZone: the longest zone the name is in, on label boundaries; null for none', () => {
  const zones = ['.', 'cluster.local.', 'svc.cluster.local.', 'example.org.'];
  assert.equal(matchLowerZone('web.shop.svc.cluster.local.', zones), 'svc.cluster.local.');
  assert.equal(matchLowerZone('cluster.local.', zones), 'cluster.local.');
  assert.equal(matchLowerZone('xexample.org.', zones), '.');
  assert.equal(matchLowerZone('xexample.org.', ['example.org.']), null);
  assert.equal(matchLowerZone('example.org.', []), null);
});
