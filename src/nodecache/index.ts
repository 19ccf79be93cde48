/**
 * `podns nodecache`: what NodeLocal DNSCache's node-cache does around CoreDNS on a node, around a
 * podns server. The CLI runs the server exactly as `serve` does and calls these hooks:
 *
 *   transform      the Corefile's text, at start and on every reload: node-cache's __PILLAR__ fill
 *   beforeListen   the interface holding the local IPs (the server binds them next)
 *   afterListen    the iptables rules, only once the server listens (as node-cache, so a server
 *                  that cannot start never gets traffic steered to it), then the periodic check
 *   afterStop      teardown of what was added, unless --skip-teardown; after a failed setup,
 *                  always (nothing half-done is left behind)
 */
import { counter } from '../core/metrics.ts';
import type { Logger } from '../core/log.ts';
import { goDurationMs } from '../corefile/index.ts';
import { NodeCacheError, NodeCacheNetwork, SETUP_ERROR_TYPES } from './network.ts';
import type { SetupErrorType } from './network.ts';
import type { NodeCacheConfig } from './options.ts';
import { pillarValues, substitutePillars } from './pillars.ts';
import type { PillarValues } from './pillars.ts';
import { hostPrefix } from './rules.ts';
import { execRunner } from './run.ts';
import type { Runner } from './run.ts';

export { NodeCacheError } from './network.ts';
export { NODECACHE_FLAGS, expandBooleanFlags, nodeCacheConfig } from './options.ts';
export type { NodeCacheConfig } from './options.ts';

export interface NodeCacheDeps {
  readonly log: Logger;
  /** Runs `ip`/`iptables` (default: the real commands). */
  readonly run?: Runner;
  /** Where the upstream Service's variable is read (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export class NodeCache {
  readonly network: NodeCacheNetwork;
  readonly #config: NodeCacheConfig;
  readonly #log: Logger;
  readonly #pillars: PillarValues;
  readonly #count: (type: SetupErrorType) => void;
  #timer: NodeJS.Timeout | null = null;

  constructor(config: NodeCacheConfig, deps: NodeCacheDeps) {
    this.#config = config;
    this.#log = deps.log;
    this.#pillars = pillarValues(config.network.localIps, config.upstreamService, deps.env ?? process.env);
    // node-cache's counter, created only in this mode; served by the Corefile's prometheus plugin.
    const errors = counter('coredns_nodecache_setup_errors_total', 'The number of errors during periodic network setup for node-cache', ['errortype']);
    for (const t of SETUP_ERROR_TYPES) errors.inc({ errortype: t }, 0);
    this.#count = (type) => errors.inc({ errortype: type });
    this.network = new NodeCacheNetwork(config.network, deps.run ?? execRunner, deps.log, this.#count);
  }

  transform(text: string, file: string): string {
    try {
      return substitutePillars(text, file, this.#pillars);
    } catch (err) {
      this.#count('configmap');
      throw err;
    }
  }

  async beforeListen(): Promise<void> {
    const { setupInterface, setupIptables, interfaceName, localIps } = this.#config.network;
    if (!setupInterface && !setupIptables) this.#log.info('nodecache: bind-only mode: no interface and no iptables rules are set up');
    await this.network.ensureInterface();
    if (setupInterface) this.#log.info(`nodecache: interface ${interfaceName} holds ${localIps.map(hostPrefix).join(' ')}`);
  }

  async afterListen(): Promise<void> {
    await this.network.ensureIptables();
    const { rules } = this.network;
    if (rules.length > 0) {
      const added = this.network.added().rules.length;
      this.#log.info(`nodecache: ${rules.length} iptables rules in place (${added} added, ${rules.length - added} already present)`);
    }
    const { syncIntervalMs } = this.#config;
    if (syncIntervalMs > 0 && (this.#config.network.setupInterface || rules.length > 0)) {
      this.#log.info(`nodecache: checking the interface and rules every ${goDurationMs(syncIntervalMs)}`);
      this.#timer = setInterval(() => { void this.#check(); }, syncIntervalMs);
      this.#timer.unref();
    }
  }

  /** node-cache's periodic setupNetworking: put back whatever went missing; errors are logged and counted. */
  async #check(): Promise<void> {
    try {
      await this.network.ensureInterface();
      await this.network.ensureIptables();
    } catch (err) {
      this.#log.error((err as Error).message);
    }
  }

  /** After the server stopped. `setupFailed`: the start did not complete, so this run's changes are undone regardless of --skip-teardown. */
  async afterStop(setupFailed: boolean): Promise<void> {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#config.skipTeardown && !setupFailed) {
      this.#log.info('nodecache: --skip-teardown: leaving the interface and iptables rules in place');
      return;
    }
    const { link, addresses, rules } = this.network.added();
    if (link === null && addresses.length === 0 && rules.length === 0) return;
    this.#log.info(`nodecache: tearing down${setupFailed ? ' after the failed start' : ''}`);
    const problems = await this.network.teardown();
    const what = [
      ...(rules.length > 0 ? [`${rules.length} iptables rule${rules.length === 1 ? '' : 's'}`] : []),
      ...(link !== null ? [`interface ${this.#config.network.interfaceName} (${link})`] : []),
      ...(addresses.length > 0 ? [`${addresses.join(' ')} from ${this.#config.network.interfaceName}`] : []),
    ];
    if (problems.length === 0) this.#log.info(`nodecache: removed ${what.join(', ')}`);
    if (problems.length > 0 && !setupFailed) throw new NodeCacheError('teardown', `teardown left ${problems.length} change${problems.length === 1 ? '' : 's'} in place (see above)`);
  }
}
