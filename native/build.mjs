// Builds native/udp.c into build/podns_udp.node (src/transport/udp-batch.ts loads it), with the
// C compiler on PATH and the headers of the Node that runs this script: the pinned `node`
// package ships them (include/node: node_api.h, uv.h). Plain JavaScript, so that it runs at
// `npm ci` time in the Docker build too.
//
//   node native/build.mjs            # builds; without a compiler or headers, says so and exits 0
//   node native/build.mjs --require  # the same, but failing is an error (CI: the batched path is tested)
//
// Run by `npm ci` (postinstall) and `npm run build:native`. Linux only: elsewhere the listeners
// use node:dgram.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const required = process.argv.includes('--require') || process.env.PODNS_REQUIRE_NATIVE === '1';
const out = join(root, 'build', 'podns_udp.node');

function give(why) {
  if (required) {
    process.stderr.write(`native/build.mjs: ${why}\n`);
    process.exit(1);
  }
  process.stderr.write(`native/build.mjs: ${why}; UDP listeners will use node:dgram (slower: see README, Performance)\n`);
  process.exit(0);
}

if (process.platform !== 'linux') give(`batched UDP is Linux only (this is ${process.platform})`);
// The running Node's own headers; the pinned `node` package keeps them in its platform package
// (its bin/node is a hard link to that package's); the system's last.
const platformPackage = `node-${process.platform}-${process.arch}`;
const headers = [
  join(dirname(process.execPath), '..', 'include', 'node'),
  join(root, 'node_modules', 'node', 'node_modules', platformPackage, 'include', 'node'),
  join(root, 'node_modules', platformPackage, 'include', 'node'),
  '/usr/include/node',
]
  .find((d) => existsSync(join(d, 'node_api.h')) && existsSync(join(d, 'uv.h')));
if (headers === undefined) give(`no Node headers (node_api.h, uv.h) beside ${process.execPath}`);
const cc = process.env.CC ?? 'cc';
mkdirSync(dirname(out), { recursive: true });
try {
  execFileSync(cc, [
    '-O2', '-Wall', '-Wextra', '-Werror', '-Wno-unused-parameter', '-fPIC', '-shared', '-fvisibility=hidden',
    '-I', headers, '-DNODE_GYP_MODULE_NAME=podns_udp', '-o', out, join(root, 'native', 'udp.c'),
  ], { stdio: ['ignore', 'inherit', 'inherit'] });
} catch (err) {
  give(`${cc} failed: ${err.message.split('\n')[0]}`);
}
process.stdout.write(`native/build.mjs: built ${out} (${cc}, headers ${headers})\n`);
