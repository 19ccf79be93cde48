// src/lint/README.md's example: its command, run through the real CLI, prints every line shown.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('src/lint/README.md: the example\'s output lines are what the command prints', async () => {
  const readme = readFileSync(join(ROOT, 'src/lint/README.md'), 'utf8');
  const command = /<!-- podns-lint-example-command -->\n```sh\n(.*)\n```/.exec(readme)?.[1];
  const shown = /<!-- podns-lint-example-output -->\n```\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(command !== undefined && shown !== undefined, 'the README has the example blocks');
  const prefix = 'npm run -s podns -- ';
  assert.ok(command.startsWith(prefix));
  const args = command.slice(prefix.length).split(' ');
  const { stdout, status } = await new Promise<{ stdout: string; status: number }>((resolve, reject) => {
    execFile(process.execPath, [join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' }, (err, out) => {
      if (err !== null && typeof err.code !== 'number') { reject(err); return; }
      resolve({ stdout: out, status: err === null ? 0 : (err.code as number) });
    });
  });
  assert.equal(status, 1);
  const printed = stdout.split('\n');
  for (const line of shown.split('\n').filter((l) => l !== '')) assert.ok(printed.includes(line), `not printed: ${line}`);
  // The summary is the last line.
  assert.equal(printed.at(-2), shown.trimEnd().split('\n').at(-1));
});
