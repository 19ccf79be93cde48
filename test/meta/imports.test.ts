// The dependency direction of docs/architecture.md, checked by scanning import statements.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

/** What each top-level folder may import (besides itself). Plugins: see the rules below. */
const allowed: Record<string, readonly string[]> = {
  dns: [],
  corefile: [],
  cluster: ['dns'],
  transport: ['dns', 'core'],
  core: ['dns', 'corefile'],
  plugins: ['core', 'dns', 'corefile', 'cluster', 'transport'],
  server: ['plugins', 'corefile', 'transport', 'core', 'dns'],
  nodecache: ['core', 'corefile', 'dns'],
  explain: ['dns'],
  podconf: ['dns'],
  lint: ['podconf', 'cluster', 'corefile', 'dns'],
  cli: ['server', 'nodecache', 'podconf', 'lint', 'explain', 'transport', 'corefile', 'core', 'plugins', 'cluster', 'dns'],
  testing: ['dns', 'core', 'cluster', 'corefile', 'plugins', 'server'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

test('imports follow the layer table, and no plugin imports another plugin', () => {
  const problems: string[] = [];
  for (const file of files(SRC)) {
    const rel = relative(SRC, file);
    const [top, second] = rel.split('/');
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"](\.[^'"]+)['"]/gm)) {
      const target = relative(SRC, resolve(dirname(file), m[1]!));
      const [ttop, tsecond] = target.split('/');
      if (ttop === top) {
        if (top === 'plugins' && second !== tsecond && second !== undefined && tsecond !== undefined
          && second.endsWith('.ts') === false && tsecond.endsWith('.ts') === false) {
          problems.push(`${rel} imports another plugin: ${target}`);
        }
        continue;
      }
      if (!(allowed[top!] ?? []).includes(ttop!)) problems.push(`${rel} may not import ${target}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('podconf/ is pure: no node: modules, no process, no npm packages', () => {
  const problems: string[] = [];
  for (const file of files(join(SRC, 'podconf'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)) {
      if (!m[1]!.startsWith('.')) problems.push(`${relative(SRC, file)} imports ${m[1]}`);
    }
    if (/\bprocess\./.test(text)) problems.push(`${relative(SRC, file)} uses process`);
  }
  assert.deepEqual(problems, []);
});

test('no module of src loads undici (an ES import of node:http does, for its lazy WebSocket export: ~13 MB of RSS)', async () => {
  const modules = files(SRC).filter((f) => !f.includes('/testing/') && !f.endsWith('/cli/main.ts'));
  const code = `for (const m of ${JSON.stringify(modules)}) await import(m);\n`
    + 'console.log(JSON.stringify(process.moduleLoadList.filter((m) => m.includes("undici"))));';
  const { execFile } = await import('node:child_process');
  const out = await new Promise<string>((res, rej) => {
    execFile(process.execPath, ['--input-type=module', '-e', code], { cwd: dirname(SRC) }, (err, stdout, stderr) => (err ? rej(new Error(`${err.message}\n${stderr}`)) : res(stdout)));
  });
  assert.deepEqual(JSON.parse(out), []);
});
