/**
 * reload: re-reads the Corefile (and everything it imports) every INTERVAL ± JITTER/2 and swaps
 * in the new configuration when its SHA-512 changed (CoreDNS plugin/reload). The swap itself is
 * the server's (DnsServer.reload): the new configuration is set up and started before it takes a
 * query, and a configuration that fails keeps the running one serving. Readiness never flaps:
 * the new configuration's state is loaded before the swap.
 */
import type { Directive } from '../../corefile/index.ts';
import { parseDuration } from '../../corefile/index.ts';
import { ConfigError } from '../../core/errors.ts';
import type { PluginDefinition, SetupContext } from '../../core/handler.ts';
import { reloadFailed, reloadVersionInfo } from './metrics.ts';

export interface ReloadOptions {
  /** The polling interval, jitter already applied (ms). */
  readonly intervalMs: number;
  readonly baseIntervalMs: number;
  readonly jitterMs: number;
}

const DEFAULT_INTERVAL = 30_000;
const DEFAULT_JITTER = 15_000;
const MIN_INTERVAL = 2_000;
const MIN_JITTER = 1_000;

export function parseReload(d: Directive, random: () => number = Math.random): ReloadOptions {
  const fail = (msg: string): ConfigError => new ConfigError(d.file, d.line, `plugin/reload: ${msg}`);
  if (d.args.length > 2) throw fail('Wrong argument count or unexpected line ending after \'' + d.args[2] + '\'');
  if (d.block !== null && d.block.length > 0) throw fail('unexpected block');
  const dur = (text: string): number => {
    try { return parseDuration(text); } catch (err) { throw fail((err as Error).message); }
  };
  const interval = d.args[0] !== undefined ? dur(d.args[0]) : DEFAULT_INTERVAL;
  if (interval < MIN_INTERVAL) throw fail('interval value must be greater or equal to 2s');
  let jitter = d.args[1] !== undefined ? dur(d.args[1]) : DEFAULT_JITTER;
  if (jitter < MIN_JITTER) throw fail('jitter value must be greater or equal to 1s');
  if (jitter > interval / 2) jitter = interval / 2;
  // CoreDNS: interval + rand[0, jitter) - jitter/2, drawn once per setup.
  const intervalMs = Math.round(interval + Math.floor(random() * jitter) - jitter / 2);
  return { intervalMs, baseIntervalMs: interval, jitterMs: jitter };
}

/** The configuration hash last announced, so several blocks with `reload` log it once. */
let announced = '';

export function setupReload(options: ReloadOptions, ctx: SetupContext): null {
  const log = ctx.log.plugin('reload');
  let timer: NodeJS.Timeout | null = null;
  ctx.onListening(() => {
    if (ctx.configHash !== '' && announced !== ctx.configHash) {
      announced = ctx.configHash;
      log.info(`Running configuration SHA512 = ${ctx.configHash}`);
      reloadVersionInfo.reset();
      reloadVersionInfo.set({ hash: 'sha512', value: ctx.configHash }, 1);
    }
    timer = setInterval(() => { void check(); }, options.intervalMs);
    timer.unref();
  });
  ctx.onShutdown(() => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  });
  const check = async (): Promise<void> => {
    const outcome = await ctx.reload();
    if (outcome.status === 'failed') {
      reloadFailed.inc();
      log.error(`Corefile changed but reload failed: ${outcome.error.message}`);
    }
  };
  return null;
}

export const reloadPlugin: PluginDefinition<ReloadOptions> = {
  name: 'reload',
  once: true,
  parse: (d) => parseReload(d),
  setup: setupReload,
};
