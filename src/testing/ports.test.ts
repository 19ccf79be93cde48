// Ports for test servers and dig's source ports: exclusive across the processes that take them.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { claim, clientPort, serverPort } from './ports.ts';

const linux = process.platform === 'linux';

/** Whether another process can claim `port` (it runs claim() and prints the result). */
function claimElsewhere(port: number): Promise<boolean> {
  const code = `import { claim } from ${JSON.stringify(new URL('./ports.ts', import.meta.url).href)}; console.log(await claim(${port}));`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', code], (err, stdout) => (err ? reject(err) : resolve(stdout.trim() === 'true')));
  });
}

test('a claim holds against other processes while its process lives, and ends with it', { skip: !linux }, async () => {
  const mine = await serverPort();
  assert.equal(await claimElsewhere(mine), false, 'a port serverPort() gave');
  assert.equal(await claim(mine), false, 'nor twice by this one');
  // A port another process claimed and then exited with is free to claim.
  let port = mine + 1;
  while (!await claimElsewhere(port)) port++;
  assert.equal(await claim(port), true);
  assert.equal(await claimElsewhere(port), false);
});

test('clientPort(): concurrent leases get distinct ports below the ephemeral range; a port given back is not leased again at once', async () => {
  const leases = await Promise.all(Array.from({ length: 20 }, () => clientPort()));
  const ports = leases.map((l) => l.port);
  assert.equal(new Set(ports).size, ports.length);
  const ephemeral = linux ? Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) : 32_768;
  for (const p of ports) assert.ok(p >= 10_000 && p < ephemeral, String(p));
  leases[0]!.release();
  const next = await clientPort();
  assert.notEqual(next.port, ports[0]);
});
