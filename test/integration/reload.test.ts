// End to end: `podns validate` and configuration reloads (SIGUSR1 and the reload plugin) on the
// real CLI process. A broken new Corefile is rejected and the running configuration keeps serving.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI, ROOT, dig, eventually, freePort, startPodns, tempDir } from './harness.ts';
import type { Running } from './harness.ts';

const EXAMPLES = join(ROOT, 'examples/cluster');

function corefile(port: number, ttl: number, extra = ''): string {
  return `cluster.local:${port} {
    bind 127.0.0.1
    ${extra}
    kubernetes cluster.local {
        ttl ${ttl}
    }
}
`;
}

function podns(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr });
    });
  });
}

async function ttlOf(port: number): Promise<number | null> {
  const r = await dig(port, 'web.shop.svc.cluster.local', 'A');
  const line = r.answer[0];
  return line === undefined ? null : Number(line.split(' ')[1]);
}

describe('podns validate', () => {
  test('a valid Corefile: exit 0, each block with its plugins in execution order', async () => {
    const dir = tempDir();
    const file = join(dir, 'Corefile');
    writeFileSync(file, '.:53 {\n    reload\n    kubernetes cluster.local\n    bind 127.0.0.1\n}\n(snip) {\n  ttl 5\n}\n');
    const r = await podns(['validate', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /: valid, 1 server block\n/);
    assert.match(r.stdout, /\.:53 \{ reload → bind → kubernetes \}/);
  });

  test('errors carry file:line and exit 1, for the main file and for an imported one', async () => {
    const dir = tempDir();
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['.:53 {\n    kubernetes cluster.local\n    frobnicate\n}\n', {}, /Corefile:3 - Error during setup: Unknown directive 'frobnicate'/],
      ['.:53 {\n    kubernetes cluster.local {\n        ttl lots\n    }\n}\n', {}, /Corefile:3 - Error during setup: .*ttl/],
      ['.:53 {\n    reload 1s\n}\n', {}, /Corefile:2 - Error during setup: plugin\/reload: interval value must be greater or equal to 2s/],
      ['.:53 {\n    kubernetes cluster.local\n    kubernetes cluster.local\n}\n', {}, /Corefile:3 - Error during setup: plugin\/kubernetes: this plugin can only be used once per Server Block/],
      ['.:53 {\n    import extra.conf\n}\n', { 'extra.conf': 'reload\nreload\n' }, /extra\.conf:2 - Error during setup: plugin\/reload: this plugin can only be used once/],
      ['.:53 {\n    import missing.conf\n}\n', {}, /missing\.conf/],
      ['.:53 {\n    kubernetes cluster.local\n', {}, /Corefile:\d+ - .*(brace|block|EOF|end)/i],
    ];
    for (const [text, files, re] of cases) {
      for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
      const file = join(dir, 'Corefile');
      writeFileSync(file, text);
      const r = await podns(['validate', file]);
      assert.equal(r.code, 1, `${text}\n${r.stdout}${r.stderr}`);
      assert.match(r.stderr, re, text);
    }
  });

  test('warnings for configurations that start but do not do what they say', async () => {
    const dir = tempDir();
    const file = join(dir, 'Corefile');
    writeFileSync(file, '.:53 {\n    autopath @kubernetes\n    kubernetes cluster.local {\n        pods insecure\n    }\n}\n');
    const r = await podns(['validate', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Corefile:2: autopath @kubernetes does nothing unless kubernetes has `pods verified`/);
    assert.match(r.stdout, /1 warning/);
  });
});

describe('reload', () => {
  let server: Running;
  let conf: string;
  before(async () => {
    server = await startPodns(corefile(0, 30).replace(':0 {', ':{PORT} {'), [EXAMPLES]);
    conf = server.child.spawnargs[server.child.spawnargs.indexOf('--conf') + 1]!;
  });
  after(async () => { await server.stop(); });

  test('SIGUSR1 swaps in a changed Corefile; a broken one is rejected and the old one keeps serving', async () => {
    assert.equal(await ttlOf(server.port), 30);
    writeFileSync(conf, corefile(server.port, 60));
    process.kill(server.child.pid!, 'SIGUSR1');
    await server.waitForLog('Reloading complete');
    assert.equal(await ttlOf(server.port), 60);

    writeFileSync(conf, corefile(server.port, 90, 'no_such_plugin'));
    process.kill(server.child.pid!, 'SIGUSR1');
    await server.waitForLog(/reload failed: .*Corefile:3 - Error during setup: Unknown directive 'no_such_plugin'/);
    assert.equal(await ttlOf(server.port), 60, 'the running configuration keeps serving');
    assert.equal(server.child.exitCode, null);
  });
});

describe('reload: readiness and answers through reloads', () => {
  test('/ready stays 200 and every query is answered while good and broken Corefiles are swapped in', async () => {
    const readyPort = await freePort();
    const conf = (ttl: number, extra = ''): string => corefile(0, ttl, `ready 127.0.0.1:${readyPort}\n    ${extra}`).replace(':0 {', ':{PORT} {');
    const running = await startPodns(conf(30), [EXAMPLES]);
    const file = running.child.spawnargs[running.child.spawnargs.indexOf('--conf') + 1]!;
    const statuses = new Map<number, number>();
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const r = await fetch(`http://127.0.0.1:${readyPort}/ready`).then((x) => x.status, () => 0);
        statuses.set(r, (statuses.get(r) ?? 0) + 1);
        await new Promise((res) => setTimeout(res, 5));
      }
    })();
    try {
      await eventually(async () => (statuses.get(200) ?? 0) > 0, 5000, 20);
      const answers: Array<number | null> = [];
      let reloads = 0;
      for (const [ttl, extra] of [[31, ''], [32, 'no_such_plugin'], [33, ''], [34, '']] as const) {
        writeFileSync(file, conf(ttl, extra).replace('{PORT}', String(running.port)));
        process.kill(running.child.pid!, 'SIGUSR1');
        // Queries while the reload runs.
        for (let i = 0; i < 5; i++) answers.push(await ttlOf(running.port));
        reloads++;
        // Each reload ends with one of these two lines: wait for this one's.
        await eventually(() => Promise.resolve((running.stderr().match(/Reloading complete|reload failed/g) ?? []).length === reloads), 8000, 20);
      }
      await eventually(async () => (await ttlOf(running.port)) === 34, 5000, 50);
      polling = false;
      await poller;
      assert.deepEqual([...statuses.keys()], [200], `every /ready answer was 200: ${JSON.stringify([...statuses])}`);
      assert.ok(answers.every((t) => t !== null && t >= 30 && t <= 34), `every query answered: ${JSON.stringify(answers)}`);
    } finally {
      polling = false;
      await poller;
      await running.stop();
    }
  });
});

describe('reload plugin', () => {
  test('polls the Corefile and reloads when it changes, including an imported file', async () => {
    const dir = tempDir();
    const ttlConf = join(dir, 'ttl.conf');
    writeFileSync(ttlConf, 'kubernetes cluster.local {\n    ttl 15\n}\n');
    const running = await startPodns(`cluster.local:{PORT} {
    bind 127.0.0.1
    reload 2s 1s
    import ${ttlConf}
}
`, [EXAMPLES]);
    try {
      assert.equal(await ttlOf(running.port), 15);
      assert.match(running.stderr(), /plugin\/reload: Running configuration SHA512 = [0-9a-f]{128}/);
      writeFileSync(ttlConf, 'kubernetes cluster.local {\n    ttl 25\n}\n');
      await eventually(async () => (await ttlOf(running.port)) === 25, 8000, 200);
      assert.match(running.stderr(), /Reloading complete/);
    } finally {
      await running.stop();
    }
  });
});
