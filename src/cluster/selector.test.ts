/** Tests for selector.ts: the label-selector grammar, matching and canonical formatting. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSelector, matchesSelector, parseSelector, SelectorError } from './selector.ts';

test('parses every requirement form', () => {
  const cases: [string, string][] = [
    ['', ''],
    ['a=b', 'a=b'],
    ['a==b', 'a=b'],
    ['a!=b', 'a!=b'],
    ['a in (x,y)', 'a in (x,y)'],
    ['a in (x)', 'a=x'],
    ['a notin (x)', 'a!=x'],
    ['a notin (x, y)', 'a notin (x,y)'],
    ['a', 'a'],
    ['!a', '!a'],
    [' app = web , tier in ( front , back ) , !canary , env ', 'app=web,tier in (front,back),!canary,env'],
    ['example.com/team=payments', 'example.com/team=payments'],
    ['a=', 'a='],
    ['a in ()', 'a='],
    ['a in (x,x)', 'a=x'],
    ['a=b,c', 'a=b,c'],
  ];
  for (const [text, canonical] of cases) {
    const sel = parseSelector(text);
    assert.equal(formatSelector(sel), canonical, text);
    assert.deepEqual(parseSelector(formatSelector(sel)), sel, `round trip of ${text}`);
  }
  assert.deepEqual(parseSelector('a in (x,y)').requirements, [{ key: 'a', operator: 'in', values: ['x', 'y'] }]);
  assert.deepEqual(parseSelector('!a').requirements, [{ key: 'a', operator: 'doesnotexist', values: [] }]);
});

test('rejects malformed selectors with a reason', () => {
  for (const text of ['a in x', 'a in (x', 'a in (x y)', ',', 'a,', '=b', 'a=b=c', '!', '!a=b', 'a b', 'a>1', 'a<1',
    'a=-bad-', 'bad key=x', '-a=b', 'Example.com/a=b', '/a=b', 'a/=b', `a=${'x'.repeat(64)}`, `${'k'.repeat(64)}=v`]) {
    assert.throws(() => parseSelector(text), SelectorError, text);
  }
  assert.throws(() => parseSelector('a>1'), /not supported/);
});

test('matches like Kubernetes', () => {
  const labels = { app: 'web', tier: 'front', empty: '' };
  const cases: [string, boolean][] = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=db', false],
    ['missing=x', false],
    ['app!=db', true],
    ['app!=web', false],
    ['missing!=x', true], // absent label satisfies !=
    ['tier in (front,back)', true],
    ['tier in (back)', false],
    ['missing in (x)', false],
    ['tier notin (back)', true],
    ['tier notin (front)', false],
    ['missing notin (x)', true],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['empty=', true],
    ['empty', true],
    ['app=web,tier=front', true],
    ['app=web,tier=back', false],
  ];
  for (const [text, want] of cases) assert.equal(matchesSelector(parseSelector(text), labels), want, text);
  assert.equal(matchesSelector(parseSelector('constructor'), {}), false, 'no prototype keys');
});
