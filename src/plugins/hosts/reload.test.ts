// Re-reading the hosts file: a real file in a temp dir, a short reload interval, bounded waits.
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import { registry } from '../../core/metrics.ts';
import { testContext } from '../../testing/context.ts';
import { parseHosts, setupHosts } from './index.ts';

function options(path: string, extra = '') {
  const block = parseCorefile(`. {\nhosts ${path} {\n${extra}\n}\n}\n`, { file: 'Corefile' })[0]!;
  return parseHosts(block.directives[0]!, ['.']);
}

async function until(fn: () => boolean, ms = 1500): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Replaces the file in one step (write + rename), as kubelet and editors do, so a poll never sees half a file. */
function replace(path: string, text: string, mtime?: number): void {
  writeFileSync(path + '.tmp', text);
  if (mtime !== undefined) utimesSync(path + '.tmp', mtime, mtime);
  renameSync(path + '.tmp', path);
}

const addresses = (t: { a(name: string): readonly { data: unknown }[] }, name: string) => t.a(name).map((r) => r.data);

async function metric(name: string): Promise<number | undefined> {
  return (await registry.getSingleMetric(name)!.get()).values[0]?.value;
}

test('hosts reload: a changed file is swapped in, an unchanged one is not re-read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'podns-hosts-'));
  const path = join(dir, 'hosts');
  writeFileSync(path, '10.0.0.1 example.org\n');
  utimesSync(path, 1_700_000_000, 1_700_000_000);
  const ctx = testContext();
  const { table, reader } = setupHosts(options(path, '10.9.9.9 inline.example.org\nreload 20ms'), ctx);
  try {
    assert.deepEqual(addresses(table, 'example.org.'), [], 'nothing is read before startup');
    await ctx.start();
    assert.deepEqual(addresses(table, 'example.org.'), ['10.0.0.1']);
    assert.deepEqual(addresses(table, 'inline.example.org.'), ['10.9.9.9']);
    // 1 A + 1 PTR from the file, 1 A + 1 PTR inline.
    assert.equal(await metric('coredns_hosts_entries'), 4);
    assert.equal(await metric('coredns_hosts_reload_timestamp_seconds'), 1_700_000_000, 'the file\'s modification time');

    const rev = table.revision;
    assert.equal(await reader.refresh(), false, 'same mtime and size: not re-read');
    assert.equal(table.revision, rev);

    replace(path, '10.0.0.2 example.org\n10.0.0.3 www.example.org\n');
    await until(() => table.revision !== rev);
    assert.deepEqual(addresses(table, 'example.org.'), ['10.0.0.2']);
    assert.deepEqual(addresses(table, 'www.example.org.'), ['10.0.0.3']);
    assert.deepEqual(addresses(table, 'inline.example.org.'), ['10.9.9.9'], 'inline entries stay');
    assert.equal(await metric('coredns_hosts_entries'), 6);

    // Same size, new modification time: re-read too.
    const rev2 = table.revision;
    replace(path, '10.0.0.4 example.org\n10.0.0.3 www.example.org\n', 1_800_000_000);
    await until(() => table.revision !== rev2);
    assert.deepEqual(addresses(table, 'example.org.'), ['10.0.0.4']);
  } finally {
    await ctx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hosts reload: a missing file keeps the previous entries and warns once; it is used again when back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'podns-hosts-'));
  const path = join(dir, 'hosts');
  writeFileSync(path, '10.0.0.1 example.org\n');
  const ctx = testContext();
  const { table, reader } = setupHosts(options(path, 'reload 0'), ctx);
  try {
    await ctx.start();
    assert.deepEqual(addresses(table, 'example.org.'), ['10.0.0.1']);
    rmSync(path);
    assert.equal(await reader.refresh(), false);
    assert.equal(await reader.refresh(), false);
    assert.deepEqual(addresses(table, 'example.org.'), ['10.0.0.1'], 'previous entries kept');
    const warnings = ctx.lines.filter((l) => l.startsWith('[WARNING] plugin/hosts: Failed to read hosts file'));
    assert.equal(warnings.length, 1, ctx.lines.join('\n'));
    writeFileSync(path, '10.0.0.7 example.org\n');
    assert.equal(await reader.refresh(), true);
    assert.deepEqual(addresses(table, 'example.org.'), ['10.0.0.7']);
    assert.ok(ctx.lines.some((l) => l.startsWith('[INFO] plugin/hosts: Hosts file') && l.endsWith('is readable again')), ctx.lines.join('\n'));
  } finally {
    await ctx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hosts reload: a file missing at setup is a warning, not an error; `reload 0` never re-reads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'podns-hosts-'));
  const path = join(dir, 'hosts');
  const ctx = testContext();
  const { table } = setupHosts(options(path, '10.0.0.1 inline.example.org\nreload 0'), ctx);
  try {
    assert.deepEqual(ctx.lines, [`[WARNING] plugin/hosts: File does not exist: ${path}`]);
    await ctx.start();
    assert.deepEqual(ctx.lines.length, 1, 'the failed first read is not reported twice');
    assert.deepEqual(addresses(table, 'inline.example.org.'), ['10.0.0.1']);
    writeFileSync(path, '10.0.0.2 example.org\n');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(addresses(table, 'example.org.'), [], 'no timer with reload 0');
  } finally {
    await ctx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hosts reload: a directory is a warning at setup', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'podns-hosts-'));
  const ctx = testContext();
  setupHosts(options(dir, 'reload 0'), ctx);
  try {
    assert.deepEqual(ctx.lines, [`[WARNING] plugin/hosts: Hosts file ${JSON.stringify(dir)} is a directory`]);
  } finally {
    await ctx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
