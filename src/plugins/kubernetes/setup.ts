/**
 * The kubernetes stanza: Corefile syntax to options (every default resolved here, once), and
 * setup: one ClusterStore per plugin instance, fed by the manifest files given on the command
 * line (an API-server source comes with the live-cluster work). Syntax and defaults follow
 * CoreDNS plugin/kubernetes/setup.go; options podns does not support yet are refused with a
 * clear error rather than silently ignored.
 */
import type { Directive } from '../../corefile/index.ts';
import { parseDuration, zonesFromArgs } from '../../corefile/index.ts';
import { ConfigError } from '../../core/errors.ts';
import type { PluginDefinition, PluginFactory, SetupContext } from '../../core/handler.ts';
import { ClusterStore } from '../../cluster/store.ts';
import { ManifestSource } from '../../cluster/manifests.ts';
import { parseSelector } from '../../cluster/selector.ts';
import type { Selector } from '../../cluster/selector.ts';
import type { KubernetesOptions } from './options.ts';
import { KubernetesHandler } from './kubernetes.ts';
import { AUTOPATH, TRANSFER } from '../../core/capabilities.ts';
import { autoPather } from './autopath.ts';
import { transferer } from './xfr.ts';

export interface KubernetesConfig {
  readonly options: KubernetesOptions;
  /** null: no fallthrough; []: every zone; else the zones that fall through. */
  readonly fallthrough: readonly string[] | null;
  readonly labels: Selector | null;
  readonly namespaceLabels: Selector | null;
  readonly startupTimeoutMs: number;
  /** API connection options, kept for the API source (kubeconfig FILE [CONTEXT], endpoint URL). */
  readonly kubeconfig: readonly string[] | null;
  readonly endpoint: string | null;
}

const REVERSE = /(^|\.)(in-addr|ip6)\.arpa\.$/;

function fail(d: Directive, message: string): ConfigError {
  return new ConfigError(d.file, d.line, `plugin/kubernetes: ${message}`);
}

function args(d: Directive, min: number, max: number): readonly string[] {
  if (d.args.length < min || d.args.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw fail(d, `${d.name} takes ${want} argument${max === 1 ? '' : 's'}, got ${d.args.length}`);
  }
  return d.args;
}

export function parseKubernetes(d: Directive, blockZones: readonly string[]): KubernetesConfig {
  const zones = d.args.length > 0 ? zonesFromArgs(d.args, d) : [...blockZones];
  const primary = zones.find((z) => !REVERSE.test(z));
  if (primary === undefined) throw fail(d, 'at least one forward (non-reverse) zone is required');
  let pods: KubernetesOptions['pods'] = 'disabled';
  let ttl = 5;
  let endpointPodNames = false;
  let namespaces: Set<string> | null = null;
  let noEndpoints = false;
  let ignoreEmptyService = false;
  let fallthrough: string[] | null = null;
  let labels: Selector | null = null;
  let namespaceLabels: Selector | null = null;
  let startupTimeoutMs = 5000;
  let kubeconfig: string[] | null = null;
  let endpoint: string | null = null;
  for (const o of d.block ?? []) {
    switch (o.name) {
      case 'pods': {
        const [mode] = args(o, 1, 1);
        if (mode !== 'disabled' && mode !== 'insecure' && mode !== 'verified') throw fail(o, `pods must be disabled, insecure or verified, got ${JSON.stringify(mode)}`);
        pods = mode;
        break;
      }
      case 'ttl': {
        const [t] = args(o, 1, 1);
        const n = Number(t);
        if (!/^\d+$/.test(t ?? '') || n > 3600) throw fail(o, `ttl must be an integer from 0 to 3600, got ${JSON.stringify(t)}`);
        ttl = n;
        break;
      }
      case 'endpoint_pod_names': args(o, 0, 0); endpointPodNames = true; break;
      case 'noendpoints': args(o, 0, 0); noEndpoints = true; break;
      case 'namespaces': namespaces = new Set(args(o, 1, Infinity)); break;
      case 'namespace_labels': namespaceLabels = selector(o); break;
      case 'labels': labels = selector(o); break;
      case 'fallthrough': fallthrough = o.args.length > 0 ? zonesFromArgs(o.args, o) : []; break;
      case 'ignore': {
        const [what] = args(o, 1, 1);
        if (what !== 'empty_service') throw fail(o, `unknown ignore option ${JSON.stringify(what)}`);
        ignoreEmptyService = true;
        break;
      }
      case 'startup_timeout': startupTimeoutMs = duration(o); break;
      case 'kubeconfig': kubeconfig = [...args(o, 1, 2)]; break;
      case 'endpoint': endpoint = args(o, 1, 1)[0]!; break;
      case 'tls': args(o, 3, 3); break;
      case 'apiserver_qps': case 'apiserver_burst': case 'apiserver_max_inflight': args(o, 1, 1); break;
      case 'multicluster': case 'zonal':
        throw fail(o, `${o.name} is not supported by podns yet`);
      default:
        throw fail(o, `unknown property ${JSON.stringify(o.name)}`);
    }
  }
  if (namespaces !== null && namespaceLabels !== null) throw fail(d, 'namespaces and namespace_labels cannot both be set');
  const options: KubernetesOptions = {
    zones, primaryZone: primary, pods, endpointPodNames, ttl, namespaces, noEndpoints, ignoreEmptyService,
    localAddresses: [],
  };
  return { options, fallthrough, labels, namespaceLabels, startupTimeoutMs, kubeconfig, endpoint };
}

function selector(o: Directive): Selector {
  const text = args(o, 1, Infinity).join(' ');
  try {
    return parseSelector(text);
  } catch (err) {
    throw fail(o, `invalid label selector ${JSON.stringify(text)}: ${(err as Error).message}`);
  }
}

function duration(o: Directive): number {
  const [t] = args(o, 1, 1);
  try {
    return parseDuration(t!);
  } catch (err) {
    throw fail(o, (err as Error).message);
  }
}

/** The server's own non-loopback addresses: those it is bound to, for NS records (CoreDNS ns.go). */
function localAddresses(bind: readonly string[]): string[] {
  return bind.filter((a) => !a.startsWith('127.') && a !== '::1' && a !== '0.0.0.0' && a !== '::');
}

export function setupKubernetes(parsed: KubernetesConfig, ctx: SetupContext): PluginFactory {
  // bind comes before kubernetes in the plugin order, so the block's addresses are known here.
  const config: KubernetesConfig = { ...parsed, options: { ...parsed.options, localAddresses: localAddresses(ctx.bindAddresses) } };
  const store = new ClusterStore();
  const log = ctx.log.plugin('kubernetes');
  let source: ManifestSource | null = null;
  ctx.onStartup(async () => {
    if (ctx.manifests.length === 0) {
      throw new ConfigError('<command line>', 0, 'plugin/kubernetes: no cluster source: give --manifests PATH (an API-server source is not available yet)');
    }
    source = new ManifestSource({
      paths: ctx.manifests, store,
      onError: (err: Error) => log.error(err.message),
      ...(config.labels !== null ? { labels: config.labels } : {}),
      ...(config.namespaceLabels !== null ? { namespaceLabels: config.namespaceLabels } : {}),
    });
    await source.start();
  });
  ctx.onShutdown(() => { source?.stop(); });
  ctx.readiness('kubernetes', () => store.synced);
  ctx.provide(AUTOPATH, autoPather(store, config));
  ctx.provide(TRANSFER, transferer(store, config));
  return (next) => new KubernetesHandler(next, config, store, ctx);
}

export const kubernetesPlugin: PluginDefinition<KubernetesConfig> = {
  name: 'kubernetes',
  once: true,
  parse: parseKubernetes,
  setup: setupKubernetes,
};
