/**
 * The health stanza (CoreDNS plugin/health/setup.go): `health [ADDRESS] { lameduck DURATION }`,
 * default `:8080`, path /health, always 200 "OK" while the process runs. With lameduck, the final
 * shutdown waits DURATION before the listeners close: DNS keeps being answered and /health stays
 * 200, while /ready (ready plugin) already says 503.
 */
import type { Directive } from '../../corefile/index.ts';
import { argError, configError, parseDuration } from '../../corefile/index.ts';
import { ConfigError } from '../../core/errors.ts';
import type { PluginDefinition, SetupContext } from '../../core/handler.ts';
import { addressError } from '../../transport/http.ts';
import { goDurationMs } from '../../corefile/index.ts';
import { SelfCheck, loopbackUrl } from './health.ts';

export interface HealthOptions {
  /** As written (`:8080`, `127.0.0.1:8080`). */
  readonly address: string;
  /** 0: none. */
  readonly lameduckMs: number;
  /** How often the self-check runs (CoreDNS: every second). */
  readonly checkIntervalMs: number;
}

export const DEFAULT_ADDRESS = ':8080';
export const HEALTH_PATH = '/health';
export const CHECK_INTERVAL_MS = 1000;

export function parseHealth(d: Directive): HealthOptions {
  if (d.args.length > 1) throw argError(d, undefined, 'health');
  const address = d.args[0] ?? DEFAULT_ADDRESS;
  const bad = addressError(address);
  if (bad !== null) throw new ConfigError(d.file, d.line, `plugin/health: ${bad}`);
  let lameduckMs = 0;
  for (const o of d.block ?? []) {
    if (o.name !== 'lameduck') throw configError(o, `Wrong argument count or unexpected line ending after '${o.name}'`, 'health');
    if (o.args.length !== 1) throw argError(o, undefined, 'health');
    const text = o.args[0]!;
    try {
      lameduckMs = parseDuration(text);
    } catch (err) {
      throw new ConfigError(o.file, o.line, `plugin/health: unable to parse lameduck duration value: ${JSON.stringify(text)}: ${(err as Error).message}`);
    }
  }
  return { address, lameduckMs, checkIntervalMs: CHECK_INTERVAL_MS };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function setupHealth(options: HealthOptions, ctx: SetupContext): null {
  const log = ctx.log.plugin('health');
  ctx.http(options.address, HEALTH_PATH, () => ({ status: 200, body: 'OK' }));
  const check = new SelfCheck(() => {
    const bound = ctx.httpAddress(options.address);
    if (bound === null) return null;
    return { url: loopbackUrl(bound.host, bound.port, HEALTH_PATH), display: `http://${options.address}${HEALTH_PATH}` };
  }, log, options.checkIntervalMs);
  ctx.onListening(() => check.start());
  ctx.onFinalShutdown(async () => {
    if (options.lameduckMs > 0) {
      log.info(`Going into lameduck mode for ${goDurationMs(options.lameduckMs)}`);
      await sleep(options.lameduckMs);
    }
    check.stop();
  });
  ctx.onShutdown(() => check.stop());
  return null;
}

export const healthPlugin: PluginDefinition<HealthOptions> = {
  name: 'health',
  parse: parseHealth,
  setup: setupHealth,
};
