/**
 * The plugins podns provides, by directive name. The server looks directives up here; a
 * directive CoreDNS knows but podns does not provide is reported as such, any other as unknown.
 * Where a plugin sits in the chain is decided by order.ts, not here.
 */
import type { PluginDefinition } from '../core/handler.ts';
import { aclPlugin } from './acl/index.ts';
import { anyPlugin } from './any/index.ts';
import { autopathPlugin } from './autopath/index.ts';
import { bindPlugin } from './bind/index.ts';
import { bufsizePlugin } from './bufsize/index.ts';
import { cachePlugin } from './cache/index.ts';
import { errorsPlugin } from './errors/index.ts';
import { filterAaaaPlugin } from './filter_aaaa/index.ts';
import { forwardPlugin } from './forward/index.ts';
import { healthPlugin } from './health/index.ts';
import { hostsPlugin } from './hosts/index.ts';
import { kubernetesPlugin } from './kubernetes/index.ts';
import { loadbalancePlugin } from './loadbalance/index.ts';
import { logPlugin } from './log/index.ts';
import { loopPlugin } from './loop/index.ts';
import { prometheusPlugin } from './prometheus/index.ts';
import { readyPlugin } from './ready/index.ts';
import { reloadPlugin } from './reload/index.ts';
import { rewritePlugin } from './rewrite/index.ts';
import { transferPlugin } from './transfer/index.ts';

const all = [
  aclPlugin,
  anyPlugin,
  autopathPlugin,
  bindPlugin,
  bufsizePlugin,
  cachePlugin,
  errorsPlugin,
  filterAaaaPlugin,
  forwardPlugin,
  healthPlugin,
  hostsPlugin,
  kubernetesPlugin,
  loadbalancePlugin,
  logPlugin,
  loopPlugin,
  prometheusPlugin,
  readyPlugin,
  reloadPlugin,
  rewritePlugin,
  transferPlugin,
] as const;

export const plugins: ReadonlyMap<string, PluginDefinition<unknown>> = new Map<string, PluginDefinition<unknown>>(
  all.map((p) => [p.name, p as unknown as PluginDefinition<unknown>]),
);
