/**
 * The ready stanza (CoreDNS plugin/ready/setup.go): `ready [ADDRESS] { monitor until-ready|continuously }`,
 * default `:8181`, path /ready. Once per server block; blocks naming the same address share one
 * endpoint (the first registration answers). Readiness is process-wide: every plugin of every
 * block that registered a readiness check (kubernetes until its state has synced).
 */
import type { Directive } from '../../corefile/index.ts';
import { argError, configError } from '../../corefile/index.ts';
import { ConfigError } from '../../core/errors.ts';
import type { PluginDefinition, SetupContext } from '../../core/handler.ts';
import { addressError } from '../../transport/http.ts';
import { Readiness } from './ready.ts';
import type { Monitor } from './ready.ts';

export interface ReadyOptions {
  readonly address: string;
  readonly monitor: Monitor;
}

export const DEFAULT_ADDRESS = ':8181';
export const READY_PATH = '/ready';

export function parseReady(d: Directive): ReadyOptions {
  if (d.args.length > 1) throw argError(d, undefined, 'ready');
  const address = d.args[0] ?? DEFAULT_ADDRESS;
  const bad = addressError(address);
  if (bad !== null) throw new ConfigError(d.file, d.line, `plugin/ready: ${bad}`);
  let monitor: Monitor = 'until-ready';
  for (const o of d.block ?? []) {
    if (o.name !== 'monitor') throw configError(o, `unknown property '${o.name}'`, 'ready');
    if (o.args.length !== 1) throw argError(o, undefined, 'ready');
    const m = o.args[0]!;
    if (m !== 'until-ready' && m !== 'continuously') throw configError(o, `monitor type '${m}' not supported`, 'ready');
    monitor = m;
  }
  return { address, monitor };
}

export function setupReady(options: ReadyOptions, ctx: SetupContext): null {
  const readiness = new Readiness(ctx, options.monitor, ctx.log.plugin('ready'));
  ctx.http(options.address, READY_PATH, () => readiness.answer());
  return null;
}

export const readyPlugin: PluginDefinition<ReadyOptions> = {
  name: 'ready',
  once: true,
  parse: parseReady,
  setup: setupReady,
};
