import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goFields, goLen, goQuote, goStringSlice, goTrimSpace, isGoSpace } from './go.ts';

test('Go\'s space set: ASCII, NEL, NBSP and Unicode White_Space, but not the BOM', () => {
  for (const c of [' ', '\t', '\n', '\v', '\f', '\r', '\u0085', '\u00a0', '\u2003', '\u3000']) assert.ok(isGoSpace(c.codePointAt(0)!), JSON.stringify(c));
  for (const c of ['\uFEFF', '\u200b', 'a', '\u0000']) assert.ok(!isGoSpace(c.codePointAt(0)!), JSON.stringify(c));
});

test('TrimSpace and Fields', () => {
  assert.equal(goTrimSpace(' \t a b \r'), 'a b');
  assert.equal(goTrimSpace('\uFEFFa '), '\uFEFFa');
  assert.deepEqual(goFields('  a \t b\u00a0c  '), ['a', 'b', 'c']);
  assert.deepEqual(goFields(''), []);
});

test('%q and %#v', () => {
  assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(goQuote('tab\there\n'), '"tab\\there\\n"');
  assert.equal(goQuote('\x01\x7f'), '"\\x01\\x7f"');
  assert.equal(goQuote('héllo ✓'), '"héllo ✓"');
  assert.equal(goQuote('\u200b'), '"\\u200b"');
  assert.equal(goStringSlice(['a', 'b']), '[]string{"a", "b"}');
  assert.equal(goStringSlice([]), '[]string{}');
});

test('len() counts UTF-8 bytes', () => {
  assert.equal(goLen('abc'), 3);
  assert.equal(goLen('é'), 2);
});
