// Every plugin folder has a README with CoreDNS's sections, and every Corefile example in it
// starts a server (CoreDNS test/readme_test.go).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseCorefile } from '../../src/corefile/index.ts';
import { silentLogger } from '../../src/core/log.ts';
import { DnsServer } from '../../src/server/server.ts';
import { freePort } from '../integration/harness.ts';

const PLUGINS = fileURLToPath(new URL('../../src/plugins', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../examples/cluster', import.meta.url));
const folders = readdirSync(PLUGINS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

for (const name of folders) {
  const path = join(PLUGINS, name, 'README.md');
  test(`plugin ${name}: README with Name, Description, Syntax, Examples, whose Corefiles start`, async () => {
    assert.ok(existsSync(path), `${path} is missing`);
    const text = readFileSync(path, 'utf8');
    for (const section of ['Name', 'Description', 'Syntax', 'Examples']) assert.match(text, new RegExp(`^## ${section}$`, 'm'));
    const examples = [...text.matchAll(/^~~~ corefile\n([\s\S]*?)^~~~$/gm)].map((m) => m[1]!);
    for (const example of examples) {
      const port = await freePort();
      // Move every server key (a top-level line ending in `{`) to a free port.
      const corefile = example.replace(/^(\S[^\n]*)\{$/gm, (line) => line.replace(/:\d+(?=\s)/g, `:${port}`));
      // Keys without a port get the free port too; DNS and HTTP listeners stay on loopback.
      const server = DnsServer.create(parseCorefile(corefile, { file: `${name}/README.md` }), {
        manifests: [EXAMPLES], log: silentLogger, defaultPort: port, defaultBind: ['127.0.0.1'],
        httpAddress: () => '127.0.0.1:0', onFatal: (m) => { throw new Error(`fatal: ${m}`); },
      });
      await server.start();
      await server.stop();
    }
  });
}
