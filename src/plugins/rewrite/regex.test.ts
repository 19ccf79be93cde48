// RE2 patterns as JavaScript RegExps: what is translated, what is refused, and {N} templates.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Template, compileGoRegex, groupsUsed, translateGoRegex } from './regex.ts';

test('regex: RE2 spellings translated to JavaScript', () => {
  const cases: Array<[string, string, number]> = [
    ['(.*)-(us-west-1)\\.example\\.org', '(.*)-(us-west-1)\\.example\\.org', 2],
    ['(?P<svc>[a-z]+)\\.(?:svc)', '(?<svc>[a-z]+)\\.(?:svc)', 1],
    ['(?<svc>a)', '(?<svc>a)', 1],
    ['(?i)Example\\.ORG', '(?i:Example\\.ORG)', 0],
    ['a|(?i)b|c', 'a|(?i:b|c)', 0],
    ['(a(?i)b)c', '(a(?i:b))c', 1],
    ['(?i:A)b', '(?i:A)b', 0],
    ['(?is-m)a.b', '(?is-m:a.b)', 0],
    ['[[:alnum:]-]+\\.[[:digit:]]', '[0-9A-Za-z-]+\\.[0-9]', 0],
    ['[]a]', '[\\]a]', 0],
    ['[^]a]', '[^\\]a]', 0],
    ['\\Qa.b*c\\E+', 'a\\.b\\*c+', 0],
    ['\\Aab\\z', '(?<![\\s\\S])ab(?![\\s\\S])', 0],
    ['\\x{41}\\x42\\a', '\\u0041\\x42\\x07', 0],
    ['x{2,3}y{4}z{5,}', 'x{2,3}y{4}z{5,}', 0],
    ['a{', 'a\\{', 0],
    ['\\d+\\.\\-\\$', '\\d+\\.\\-\\$', 0],
  ];
  for (const [go, js, groups] of cases) {
    assert.equal(translateGoRegex(go), js, go);
    assert.equal(compileGoRegex(go).groups, groups, go);
  }
});

test('regex: translated patterns match like RE2', () => {
  const cases: Array<[string, string, boolean]> = [
    ['(?i)example\\.org', 'WWW.EXAMPLE.ORG.', true],
    ['a|(?i)b|c', 'C', true],
    ['a|(?i)b|c', 'A', false],
    ['\\Aweb\\.', 'xweb.', false],
    ['\\Aweb\\.', 'web.x', true],
    ['org\\.\\z', 'example.org.', true],
    ['[[:digit:]]{3}', 'a12b', false],
  ];
  for (const [go, input, want] of cases) assert.equal(compileGoRegex(go).re.test(input), want, `${go} ~ ${input}`);
});

test('regex: refused like RE2 refuses, or because JavaScript cannot run them the same', () => {
  const bad = [
    '(', ')', '[a', '(?=a)', '(?!a)', '(?<=a)', '(?<!a)', '\\1', '\\e', 'a{1001}', 'a{3,2}', '(?U)a+',
    '\\pL', '\\p{Greek}', '\\C', '(?i-)a', '(?)', '[[:foo:]]', '\\x{110000}', '\\',
  ];
  for (const p of bad) assert.throws(() => compileGoRegex(p), { name: 'GoRegexError' }, p);
});

test('regex: {N} templates fill in groups; unknown references stay text', () => {
  const p = compileGoRegex('(.*)-(us-west-1)\\.example\\.org');
  const m = p.re.exec('ftp-us-west-1.example.org.')!;
  assert.equal(new Template('{1}.service.{2}.consul.', p.groups).expand(m), 'ftp.service.us-west-1.consul.');
  assert.equal(new Template('{0}|{2}{1}', p.groups).expand(m), 'ftp-us-west-1.example.org|us-west-1ftp');
  assert.equal(new Template('{3}.{01}.x', p.groups).expand(m), '{3}.{01}.x');
  const opt = compileGoRegex('(a)?(b)');
  assert.equal(new Template('[{1}{2}]', opt.groups).expand(opt.re.exec('b')!), '[b]', 'a group that did not take part is empty');
  assert.equal(groupsUsed('{0}.{1}.{1}.{100}.{101}'), 3);
});
