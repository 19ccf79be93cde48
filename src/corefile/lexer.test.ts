// Corefile text to tokens: white space, comments, quotes and escapes, line numbers (caddy v1 rules).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CorefileError } from './errors.ts';
import { tokenize } from './lexer.ts';

type Row = [text: string, line: number, endLine: number, quoted: boolean];
const cases: Array<{ name: string; input: string; want: Row[] }> = [
  { name: 'empty', input: '', want: [] },
  { name: 'white space only', input: ' \t\n\r\n\u00a0\u2003', want: [] },
  { name: 'words and lines', input: 'a b c\nd e', want: [['a', 1, 1, false], ['b', 1, 1, false], ['c', 1, 1, false], ['d', 2, 2, false], ['e', 2, 2, false]] },
  { name: 'braces are words', input: 'a {\n}\n{x} x{', want: [['a', 1, 1, false], ['{', 1, 1, false], ['}', 2, 2, false], ['{x}', 3, 3, false], ['x{', 3, 3, false]] },
  { name: 'comment ends at the newline, even mid-word', input: 'a # b c\nd#e f\n#g', want: [['a', 1, 1, false], ['d', 2, 2, false]] },
  { name: 'quoted string with spaces, # and braces', input: '"a b # {c}"', want: [['a b # {c}', 1, 1, true]] },
  { name: 'only \\" is an escape; other backslashes stay', input: String.raw`"a\"b\n\\" c\d`, want: [['a"b\\n\\\\', 1, 1, true], ['c\\d', 1, 1, false]] },
  { name: 'empty quoted string', input: 'a ""', want: [['a', 1, 1, false], ['', 1, 1, true]] },
  { name: 'a quote inside a word is a character', input: 'a"b c"', want: [['a"b', 1, 1, false], ['c"', 1, 1, false]] },
  { name: 'a quoted string ends at its closing quote', input: '"ab"cd', want: [['ab', 1, 1, true], ['cd', 1, 1, false]] },
  { name: 'multi-line quoted string', input: 'x "one\ntwo\nthree" y\nz', want: [['x', 1, 1, false], ['one\ntwo\nthree', 1, 3, true], ['y', 3, 3, false], ['z', 4, 4, false]] },
  { name: 'CRLF', input: 'a\r\nb\r\n', want: [['a', 1, 1, false], ['b', 2, 2, false]] },
  { name: 'byte order mark dropped', input: '\ufeffa', want: [['a', 1, 1, false]] },
];

for (const c of cases) {
  test(`tokenize: ${c.name}`, () => {
    const got = tokenize(c.input, 'F').map((t): Row => {
      assert.equal(t.file, 'F');
      return [t.text, t.line, t.endLine, t.quoted];
    });
    assert.deepEqual(got, c.want);
  });
}

test('tokenize: an unterminated quoted string is an error at its first line', () => {
  assert.throws(() => tokenize('a\n"b\nc', 'F'), (err: unknown) => {
    assert.ok(err instanceof CorefileError);
    assert.equal(err.line, 2);
    assert.equal(err.message, 'F:2 - Error during parsing: Unterminated quoted string (missing closing \'"\')');
    return true;
  });
});
