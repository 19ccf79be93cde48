// {$VAR} and {%VAR%} substitution inside one token, as caddy v1's replaceEnvVars does it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replaceEnvVars } from './env.ts';

const env = { PORT: '8080', ADDRESS: 'servername.com', FOOBAR: 'foobar', PARTIAL_DIR: 'r1', LOOP: '{$LOOP}' };
const cases: Array<[string, string]> = [
  ['{$ADDRESS}', 'servername.com'],
  ['di{$PARTIAL_DIR}', 'dir1'],
  ['{$ADDRESS}:{$PORT}', 'servername.com:8080'],
  ['{%ADDRESS%}:{$PORT}', 'servername.com:8080'],
  ['{$ADDRESS}:{%PORT%}', 'servername.com:8080'],
  ['{%ADDRESS%}/{%FOOBAR%}', 'servername.com/foobar'],
  ['{%ADDRESS}', '{%ADDRESS}'],
  [':{$PORT$}', ':'],
  ['{$UNSET}x', 'x'],
  ['{$}', '{$}'],
  ['{%%}', '{%%}'],
  ['{$PORT', '{$PORT'],
  ['Test {$FOOBAR} test', 'Test foobar test'],
  ['{{ .Name }} {$FOOBAR}', '{{ .Name }} foobar'],
  ['{$LOOP}', '{$LOOP}'],
  ['no refs {here}', 'no refs {here}'],
];
for (const [input, want] of cases) {
  test(`replaceEnvVars(${JSON.stringify(input)})`, () => assert.equal(replaceEnvVars(input, env), want));
}
