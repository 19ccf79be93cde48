/**
 * `podns validate FILE`: checks a Corefile the way `serve` would set it up — syntax, imports,
 * known plugins, every plugin's options — without opening a socket or reading cluster state,
 * and prints each block's zones and its chain in execution order (which is the plugin order,
 * not the file order). Also warns about configurations that start but do not do what their
 * author most likely meant. CoreDNS has no such command (coredns/coredns#5152, #7078).
 */
import type { Directive, ServerBlock } from '../corefile/index.ts';
import { silentLogger } from '../core/log.ts';
import { orderOf } from '../plugins/order.ts';
import { DnsServer } from '../server/server.ts';

export interface Finding { readonly file: string; readonly line: number; readonly message: string }

/** Sets every block up (throws ConfigError on the first error) and returns the warnings. */
export function validateBlocks(blocks: readonly ServerBlock[]): Finding[] {
  DnsServer.create(blocks, { manifests: [], log: silentLogger });
  return blocks.flatMap(warnings);
}

function find(b: ServerBlock, name: string): Directive | undefined {
  return b.directives.find((d) => d.name === name);
}

function warnings(b: ServerBlock): Finding[] {
  const out: Finding[] = [];
  const at = (d: Directive, message: string): void => { out.push({ file: d.file, line: d.line, message }); };
  const autopath = find(b, 'autopath');
  const k8s = find(b, 'kubernetes');
  if (autopath !== undefined && autopath.args.includes('@kubernetes')) {
    const verified = k8s?.block?.some((o) => o.name === 'pods' && o.args[0] === 'verified') ?? false;
    if (k8s === undefined) at(autopath, 'autopath @kubernetes needs the kubernetes plugin in the same server block');
    else if (!verified) at(autopath, 'autopath @kubernetes does nothing unless kubernetes has `pods verified`');
  }
  for (const f of b.directives.filter((d) => d.name === 'forward')) {
    if (f.args.slice(1).some((a) => a.includes('/')) && find(b, 'loop') === undefined) {
      at(f, 'forward reads a resolv.conf but the block has no `loop`: a node resolver on 127.0.0.53 would make a forwarding loop that goes undetected');
    }
  }
  return out;
}

/** "zones → plugins in execution order" for one block. */
export function describeBlock(b: ServerBlock): string {
  const keys = b.keys.map((k) => k.raw).join(' ');
  const names = [...new Set(b.directives.map((d) => d.name))].sort((x, y) => orderOf(x) - orderOf(y));
  return `${keys} { ${names.join(' → ')} }`;
}
