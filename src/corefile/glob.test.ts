// Glob matching of one path component (Go's filepath.Match rules).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GlobError, globMatch, hasGlobMeta } from './glob.ts';

const cases: Array<[pattern: string, name: string, want: boolean]> = [
  ['*.server', 'a.server', true],
  ['*.server', '.hidden.server', true],
  ['*.server', 'a.server.bak', false],
  ['*', '', true],
  ['a*b*c', 'aXbYc', true],
  ['a*b*c', 'aXbY', false],
  ['?.conf', 'a.conf', true],
  ['?.conf', 'ab.conf', false],
  ['[a-c].conf', 'b.conf', true],
  ['[a-c].conf', 'd.conf', false],
  ['[^a-c].conf', 'd.conf', true],
  ['[^a-c].conf', 'a.conf', false],
  ['[xyz]*', 'yes', true],
  ['\\*', '*', true],
  ['\\*', 'a', false],
  ['plain', 'plain', true],
  ['plain', 'plainer', false],
];
for (const [pattern, name, want] of cases) {
  test(`globMatch(${JSON.stringify(pattern)}, ${JSON.stringify(name)}) = ${want}`, () => assert.equal(globMatch(pattern, name), want));
}

test('malformed patterns throw GlobError', () => {
  assert.throws(() => globMatch('[abc', 'a'), GlobError);
  assert.throws(() => globMatch('a\\', 'a'), GlobError);
});

test('hasGlobMeta', () => {
  assert.deepEqual(['a.conf', '*.conf', 'a?', '[ab]', 'a\\b'].map(hasGlobMeta), [false, true, true, true, true]);
});
