// The example in src/podconf/README.md is what the command prints: the README's command is run
// (the real CLI process) and its output compared with the README's output block, byte for byte.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('src/podconf/README.md: the example\'s output is the command\'s output', () => {
  const readme = readFileSync(join(ROOT, 'src/podconf/README.md'), 'utf8');
  const command = /<!-- podns-example-command -->\n```sh\n(.*)\n```/.exec(readme)?.[1];
  const output = /<!-- podns-example-output -->\n```\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(command !== undefined && output !== undefined, 'the README marks its example command and output');
  const prefix = 'npm run -s podns -- ';
  assert.ok(command.startsWith(prefix));
  const args = command.slice(prefix.length).split(' ');
  const stdout = execFileSync(process.execPath, [join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(stdout, output);
});
