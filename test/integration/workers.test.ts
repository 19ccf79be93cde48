// End to end: `podns serve --workers 2`, the real processes on loopback ports: both workers
// answer (SO_REUSEPORT spreads clients by source port), /metrics sums them, /ready needs both, a
// killed worker is restarted while the other keeps answering, SIGUSR1 reloads both, and SIGTERM
// stops them all. Every process is found and stopped by its PID.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeMessage, encodeMessage } from '../../src/dns/message.ts';
import type { Message } from '../../src/dns/types.ts';
import { RRType } from '../../src/dns/types.ts';
import { CLI, ROOT, dig, freePort, run, startPodns, tempDir, writeFileSync } from './harness.ts';
import type { Running } from './harness.ts';

const COREFILE = `
cluster.local:{PORT} {
    bind 127.0.0.1
    health 127.0.0.1:{HEALTH}
    ready 127.0.0.1:{READY}
    prometheus 127.0.0.1:{METRICS}
    kubernetes cluster.local {
        ttl 30
    }
}
`;

function query(name: string, id: number): Uint8Array {
  const m: Message = {
    id, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [{ name, type: RRType.A, class: 1 }], answers: [], authorities: [], additionals: [], edns: null,
  };
  return encodeMessage(m);
}

/** One query from each of `count` sockets (each its own source port); resolves to the replies' answers (null: no reply). */
async function fromManyPorts(port: number, name: string, count: number): Promise<Array<string | null>> {
  return Promise.all(Array.from({ length: count }, (_, i) => new Promise<string | null>((resolve) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => { s.close(); resolve(null); }, 2000);
    s.on('message', (b) => {
      clearTimeout(t);
      s.close();
      const r = decodeMessage(b);
      resolve(r.answers.map((a) => JSON.stringify(a.data)).join(',') || String(r.rcode));
    });
    s.send(query(name, i + 1), port, '127.0.0.1');
  })));
}

async function http(port: number, path: string): Promise<{ status: number; body: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, body: await r.text() };
}

/** The sum of every sample of `name` in an exposition (over all label sets), or of those whose labels contain `labels`. */
function total(text: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if ((line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && line.includes(labels)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/** The PID the primary logged for worker `n` when it last started. */
function workerPid(server: Running, n: number): number {
  const all = [...server.stderr().matchAll(new RegExp(`worker ${n} \\(pid (\\d+)\\) started`, 'g'))];
  assert.ok(all.length > 0, `no start of worker ${n} logged:\n${server.stderr()}`);
  return Number(all.at(-1)![1]);
}

describe('podns serve --workers 2', () => {
  let server: Running;
  let dir: string;
  let conf: string;
  const ports = { health: 0, ready: 0, metrics: 0 };
  const pids: number[] = [];

  before(async () => {
    dir = tempDir();
    cpSync(join(ROOT, 'examples/cluster'), join(dir, 'cluster'), { recursive: true });
    ports.health = await freePort();
    ports.ready = await freePort();
    ports.metrics = await freePort();
    const text = COREFILE.replace('{HEALTH}', String(ports.health)).replace('{READY}', String(ports.ready)).replace('{METRICS}', String(ports.metrics));
    server = await startPodns(text, [join(dir, 'cluster')], ['--workers', '2']);
    conf = /--conf (\S+)/.exec(server.child.spawnargs.join(' '))![1]!;
    pids.push(workerPid(server, 1), workerPid(server, 2));
  });
  after(async () => {
    await server.stop();
    for (const pid of [...pids, ...[1, 2].map((n) => workerPid(server, n))]) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  test('the primary starts two workers, logs the addresses once, and answers over UDP (dig) and TCP (kdig)', async () => {
    assert.notEqual(pids[0], pids[1]);
    assert.ok(pids.every(alive));
    assert.equal(server.stderr().match(/listening on udp:/g)?.length, 1);
    assert.match(server.stderr(), /podns-\d+\.\d+\.\d+\S* \(2 workers\)/);
    const udp = await dig(server.port, '+notcp', 'web.shop.svc.cluster.local', 'A');
    assert.deepEqual(udp.answer, ['web.shop.svc.cluster.local. 30 IN A 10.96.100.10']);
    const tcp = await run('kdig', ['@127.0.0.1', '-p', String(server.port), '+tcp', '+short', 'web.shop.svc.cluster.local', 'A']);
    assert.equal(tcp.trim(), '10.96.100.10');
  });

  test('clients are spread over both workers, and /metrics sums them', async () => {
    const before = (await http(ports.metrics, '/metrics')).body;
    const sent = 64;
    const answers = await fromManyPorts(server.port, 'web.shop.svc.cluster.local.', sent);
    assert.deepEqual(answers.filter((a) => a === null), []);
    const m = await http(ports.metrics, '/metrics');
    assert.equal(m.status, 200);
    assert.equal(total(m.body, 'coredns_dns_requests_total') - total(before, 'coredns_dns_requests_total'), sent);
    assert.equal(total(m.body, 'coredns_dns_responses_total', 'rcode="NOERROR"') - total(before, 'coredns_dns_responses_total', 'rcode="NOERROR"'), sent);
    const perWorker = [1, 2].map((n) => total(m.body, 'podns_worker_requests_total', `worker="${n}"`) - total(before, 'podns_worker_requests_total', `worker="${n}"`));
    assert.ok(perWorker.every((n) => n > 0), `each worker answered some: ${perWorker.join(' and ')}`);
    assert.equal(perWorker[0]! + perWorker[1]!, sent);
    // Gauges that say the same in every worker are not summed.
    assert.match(m.body, /^coredns_build_info\{[^}]*\} 1$/m);
    assert.match(m.body, /^coredns_plugin_enabled\{server="dns:\/\/127\.0\.0\.1:\d+",zone="cluster\.local\.",view="",name="kubernetes"\} 1$/m);
    // One family each, the process metrics of all three processes together.
    assert.equal(m.body.match(/^# TYPE coredns_dns_requests_total counter$/gm)?.length, 1);
    assert.ok(total(m.body, 'process_resident_memory_bytes') > 3 * 20 * 2 ** 20);
    assert.match(m.body, /^podns_worker_up\{worker="1"\} 1\npodns_worker_up\{worker="2"\} 1$/m);
  });

  test('/health and /ready answer for all the workers', async () => {
    assert.deepEqual(await http(ports.health, '/health'), { status: 200, body: 'OK' });
    assert.deepEqual(await http(ports.ready, '/ready'), { status: 200, body: 'OK' });
    assert.equal((await http(ports.ready, '/nope')).status, 404);
  });

  test('a killed worker: the other keeps answering, /ready says so, and it is restarted', async () => {
    const victim = workerPid(server, 1);
    const counted = total((await http(ports.metrics, '/metrics')).body, 'coredns_dns_requests_total');
    process.kill(victim, 'SIGKILL');
    await server.waitForLog(`worker 1 (pid ${victim}) exited (signal SIGKILL); restarting it in 100 ms`);
    assert.deepEqual(await http(ports.ready, '/ready'), { status: 503, body: 'worker 1 is not running' });
    assert.equal((await http(ports.health, '/health')).status, 200, 'alive while a worker restarts');
    const during = await fromManyPorts(server.port, 'web.shop.svc.cluster.local.', 32);
    assert.deepEqual(during.filter((a) => a === null), [], 'every query answered while worker 1 is down');
    // Its counts stay in the sums (as last scraped), so they do not go down.
    assert.ok(total((await http(ports.metrics, '/metrics')).body, 'coredns_dns_requests_total') >= counted + 32);
    await server.waitForLog(/worker 1 \(pid \d+\) started[^]*worker 1 \(pid \d+\) started/);
    const restarted = workerPid(server, 1);
    pids.push(restarted);
    assert.notEqual(restarted, victim);
    assert.deepEqual(await http(ports.ready, '/ready'), { status: 200, body: 'OK' });
    const m = (await http(ports.metrics, '/metrics')).body;
    assert.match(m, /^podns_worker_restarts_total\{worker="1"\} 1$/m);
    assert.match(m, /^podns_worker_restarts_total\{worker="2"\} 0$/m);
    const after = await fromManyPorts(server.port, 'web.shop.svc.cluster.local.', 32);
    assert.deepEqual(after.filter((a) => a === null), []);
  });

  test('SIGUSR1 reaches every worker: both reload the changed Corefile', async () => {
    const reloaded = (): number => server.stderr().match(/Reloading complete/g)?.length ?? 0;
    const was = reloaded();
    writeFileSync(conf, readFileSync(conf, 'utf8').replace('ttl 30', 'ttl 7'));
    process.kill(server.child.pid!, 'SIGUSR1');
    await server.waitForLog(new RegExp(`(Reloading complete[^]*){${was + 2}}`));
    const r = await dig(server.port, 'web.shop.svc.cluster.local', 'A');
    assert.deepEqual(r.answer, ['web.shop.svc.cluster.local. 7 IN A 10.96.100.10']);
  });

  test('SIGTERM stops every worker, then the primary, with status 0', async () => {
    const workers = [workerPid(server, 1), workerPid(server, 2)];
    assert.equal(await server.stop(), 0);
    assert.deepEqual(workers.filter(alive), []);
  });
});

describe('podns --workers on the command line', () => {
  test('a bad count is a usage error; nodecache refuses --workers', async () => {
    const podns = (...args: string[]): Promise<{ status: number | null; stderr: string }> => new Promise((resolve) => {
      execFile(process.execPath, [CLI, ...args], (err, _stdout, stderr) => resolve({ status: err === null ? 0 : (err.code as number), stderr }));
    });
    const [serve, nc] = await Promise.all([
      podns('serve', '--workers', '0'),
      podns('nodecache', '--workers', '2', '--localip', '169.254.20.10', '--conf', 'x'),
    ]);
    assert.equal(serve.status, 2);
    assert.match(serve.stderr, /^podns: --workers: not a number of processes from 1 to 256: 0$/m);
    assert.equal(nc.status, 2);
    assert.match(nc.stderr, /^podns: nodecache: --workers is not supported/m);
  });
});
