// The benchmark's generator (bench/generate.ts): reproducible, the mixes as documented, and the
// zone file it writes for the peers says what podns answers for the manifests it writes — checked
// on a tiny cluster against a real `podns serve` with dig, and against the dns2 peer (and knot
// when it is installed), as bench/run.ts does before measuring.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CLUSTER_DOMAIN, EXTERNAL_ZONE, clusterMix, clusterZone, distinctQueries, drawQueries, externalMix, externalZone, generateCluster, manifestFiles,
} from '../../bench/generate.ts';
import type { ClusterOptions, Question } from '../../bench/generate.ts';
import { startDns2Peer } from '../../bench/peers/dns2-server.ts';
import type { Dns2Peer } from '../../bench/peers/dns2-server.ts';
import { Processes, freePort } from '../../bench/procs.ts';
import { startKnot } from '../../bench/servers.ts';
import { digBatch, expectedReply, key, sameReply, showReply, verifyServers } from '../../bench/verify.ts';
import { ZoneSet, parseZoneFile, zoneFile } from '../../bench/zone.ts';
import { startPodns, tempDir } from '../integration/harness.ts';
import type { Running } from '../integration/harness.ts';

const TINY: ClusterOptions = {
  namespaces: 3, services: 14, headlessPercent: 30, headlessEndpoints: 3, clusterIPEndpoints: 2, externalNames: 8, seed: 7,
};

const hasKnot = ((): boolean => {
  try { execFileSync('knotd', ['-V'], { stdio: 'ignore' }); return true; } catch { return false; }
})();

describe('bench generator', () => {
  test('the same seed gives the same cluster, manifests, zone and queries', () => {
    const a = generateCluster(TINY);
    const b = generateCluster(TINY);
    assert.deepEqual(manifestFiles(a), manifestFiles(b));
    assert.deepEqual(clusterZone(a), clusterZone(b));
    assert.deepEqual(drawQueries(clusterMix(a), 500, 1), drawQueries(clusterMix(b), 500, 1));
    assert.notDeepEqual(manifestFiles(generateCluster({ ...TINY, seed: 8 })), manifestFiles(a));
  });

  test('sizes: namespaces, services, headless share, ready endpoints, pods', () => {
    const c = generateCluster({ ...TINY, services: 100, headlessPercent: 20 });
    assert.equal(c.namespaces.length, 3);
    assert.equal(c.services.length, 100);
    const headless = c.services.filter((s) => s.headless);
    assert.equal(headless.length, 20);
    for (const s of headless) assert.equal(s.endpoints.filter((e) => e.ready).length, 3);
    for (const s of c.services.filter((x) => !x.headless)) assert.equal(s.endpoints.filter((e) => e.ready).length, 2);
    const docs = [...manifestFiles(c).values()].join('---\n');
    assert.equal(docs.match(/^kind: Pod$/gm)?.length, c.services.reduce((n, s) => n + s.endpoints.length, 0));
    assert.equal(docs.match(/^kind: EndpointSlice$/gm)?.length, 100);
    assert.equal(docs.match(/^  clusterIP: None$/gm)?.length, 20);
  });

  test('mixes: shares add up to 100 and a drawn file follows them', () => {
    const c = generateCluster({ ...TINY, services: 200 });
    for (const parts of [clusterMix(c), externalMix(c)]) {
      assert.equal(parts.reduce((s, p) => s + p.percent, 0), 100);
      const drawn = drawQueries(parts, 20_000, 3);
      for (const p of parts) {
        const inPart = new Set(p.pool.map(key));
        const share = (100 * drawn.filter((q) => inPart.has(key(q))).length) / drawn.length;
        assert.ok(Math.abs(share - p.percent) < 1.5, `${p.label}: ${share.toFixed(1)}% drawn, ${p.percent}% wanted`);
      }
    }
  });

  test('zone files read back as written; lookups give RRsets, NODATA, NXDOMAIN and REFUSED', () => {
    const c = generateCluster(TINY);
    const text = zoneFile(CLUSTER_DOMAIN, clusterZone(c));
    const zone = parseZoneFile(text);
    assert.equal(zone.origin, CLUSTER_DOMAIN);
    assert.deepEqual(zone.records, clusterZone(c));
    const zones = new ZoneSet([zone, parseZoneFile(zoneFile(EXTERNAL_ZONE, externalZone(c)))]);
    const svc = c.services.find((s) => !s.headless && s.ports[0]!.name === 'http')!;
    const name = `${svc.name}.${svc.namespace}.svc.${CLUSTER_DOMAIN}`;
    assert.deepEqual(zones.lookup(name, 'A').answers.map((r) => r.data), [svc.clusterIP]);
    assert.equal(zones.lookup(name, 'AAAA').rcode, 'NOERROR');
    assert.equal(zones.lookup(name, 'AAAA').answers.length, 0);
    assert.equal(zones.lookup(`${svc.namespace}.svc.${CLUSTER_DOMAIN}`, 'A').rcode, 'NOERROR'); // empty non-terminal
    assert.equal(zones.lookup(`nope.${svc.namespace}.svc.${CLUSTER_DOMAIN}`, 'A').rcode, 'NXDOMAIN');
    assert.equal(zones.lookup(`nope.${svc.namespace}.svc.${CLUSTER_DOMAIN}`, 'A').authorities[0]?.type, 'SOA');
    assert.equal(zones.lookup('example.com.', 'A').rcode, 'REFUSED');
    const srv = zones.lookup(`_http._tcp.${name}`, 'SRV');
    assert.deepEqual(srv.answers.map((r) => r.data), [`0 100 80 ${name}`]);
    assert.deepEqual(srv.additionals.map((r) => r.data), [svc.clusterIP]);
  });

  describe('the zone file answers as podns does (dig against real servers)', () => {
    let dir: string;
    let zones: ZoneSet;
    let clusterQuestions: Question[];
    let externalQuestions: Question[];
    let podns: Running;
    let dns2: Dns2Peer;
    let dns2Port: number;
    const procs = new Processes();

    before(async () => {
      dir = tempDir('podns-bench-test-');
      const c = generateCluster(TINY);
      mkdirSync(join(dir, 'manifests'));
      for (const [f, text] of manifestFiles(c)) writeFileSync(join(dir, 'manifests', f), text);
      writeFileSync(join(dir, 'cluster.local.zone'), zoneFile(CLUSTER_DOMAIN, clusterZone(c)));
      writeFileSync(join(dir, 'example.test.zone'), zoneFile(EXTERNAL_ZONE, externalZone(c)));
      const parsed = ['cluster.local.zone', 'example.test.zone'].map((f) => parseZoneFile(readFileSync(join(dir, f), 'utf8')));
      zones = new ZoneSet(parsed);
      clusterQuestions = distinctQueries(clusterMix(c), 1);
      externalQuestions = distinctQueries(externalMix(c), 1);
      podns = await startPodns('cluster.local:{PORT} {\n    bind 127.0.0.1\n    kubernetes cluster.local {\n        pods insecure\n        ttl 30\n    }\n}\n', [join(dir, 'manifests')]);
      dns2 = await startDns2Peer(parsed, 0);
      dns2Port = dns2.server.addresses().udp!.port;
    });
    after(async () => {
      await podns?.stop();
      await dns2?.close();
      await procs.stopAll();
      rmSync(dir, { recursive: true, force: true });
    });

    test('every question of the cluster mix: podns gives the zone file\'s rcode and answer RRset', async () => {
      assert.ok(clusterQuestions.length > 50);
      const replies = await digBatch(podns.port, clusterQuestions, true);
      const wrong: string[] = [];
      for (const q of clusterQuestions) {
        const want = expectedReply(zones, q, true);
        const got = replies.get(key(q));
        if (!sameReply(got, want)) wrong.push(`${key(q)}\n  podns: ${showReply(got)}\n  zone:  ${showReply(want)}`);
      }
      assert.deepEqual(wrong, []);
      // The mix reaches every kind of answer.
      const rcodes = new Set(clusterQuestions.map((q) => replies.get(key(q))?.rcode));
      assert.deepEqual([...rcodes].sort(), ['NOERROR', 'NXDOMAIN']);
      assert.ok(clusterQuestions.some((q) => q.type === 'SRV' && (replies.get(key(q))?.answers.length ?? 0) === 3), 'a headless SRV with 3 targets');
    });

    test('the dns2 peer answers both mixes as the zone files say', async () => {
      assert.deepEqual(await verifyServers([{ name: 'dns2', port: dns2Port }], zones, clusterQuestions, true), []);
      assert.deepEqual(await verifyServers([{ name: 'dns2', port: dns2Port }], zones, externalQuestions, true), []);
    });

    test('knot loads the zone files and answers both mixes as they say', { skip: hasKnot ? false : 'knotd is not installed (apt-get install knot)' }, async () => {
      const port = await freePort();
      const files = { dir, manifests: join(dir, 'manifests'), clusterZone: join(dir, 'cluster.local.zone'), externalZone: join(dir, 'example.test.zone') };
      const knot = await startKnot(procs, files, 'knot', {
        cpu: 0, port, zones: [{ origin: CLUSTER_DOMAIN, file: files.clusterZone }, { origin: EXTERNAL_ZONE, file: files.externalZone }],
      });
      assert.deepEqual(await verifyServers([knot], zones, [...clusterQuestions, ...externalQuestions], true), []);
    });
  });
});
