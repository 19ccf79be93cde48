/**
 * The kubernetes stanza: Corefile syntax to options (every default resolved here, once), and
 * setup: one ClusterStore per plugin instance, fed by the manifest files given on the command
 * line or, without them, by a live API server (cluster/api/). Syntax and defaults follow
 * CoreDNS plugin/kubernetes/setup.go; options podns does not support yet are refused with a
 * clear error rather than silently ignored.
 */
import type { Directive } from '../../corefile/index.ts';
import { parseDuration, zonesFromArgs } from '../../corefile/index.ts';
import { ConfigError } from '../../core/errors.ts';
import { collectGarbage } from '../../core/gc.ts';
import type { PluginDefinition, PluginFactory, SetupContext } from '../../core/handler.ts';
import { ClusterStore } from '../../cluster/store.ts';
import { ManifestSource } from '../../cluster/manifests.ts';
import { ApiSource } from '../../cluster/api/source.ts';
import { apiConfig } from '../../cluster/api/credentials.ts';
import type { ReflectorHooks } from '../../cluster/api/reflector.ts';
import type { Logger } from '../../core/log.ts';
import { apiErrors, dnsProgramming, lastSync, objects, restRequests, watchEvents } from './metrics.ts';
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
  /** `tls CERT KEY CACERT`: client certificate and CA for `endpoint` (ignored in cluster, as CoreDNS). */
  readonly tls: readonly string[] | null;
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
  let tls: string[] | null = null;
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
      case 'tls': tls = [...args(o, 3, 3)]; break;
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
  return { options, fallthrough, labels, namespaceLabels, startupTimeoutMs, kubeconfig, endpoint, tls };
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
  const store = new ClusterStore({ podNames: config.options.endpointPodNames });
  const log = ctx.log.plugin('kubernetes');
  let source: ManifestSource | ApiSource | null = null;
  ctx.onStartup(async () => {
    const labels = config.labels ?? undefined;
    const namespaceLabels = config.namespaceLabels ?? undefined;
    if (ctx.manifests.length > 0) {
      source = new ManifestSource({
        paths: ctx.manifests, store, onError: (err: Error) => log.error(err.message), labels, namespaceLabels, pods: config.options.pods === 'verified',
      });
      await source.start();
      collectGarbage();
      return;
    }
    const api = apiConfig(config, process.env);
    if (api === null) {
      throw new ConfigError('<command line>', 0, 'plugin/kubernetes: no cluster source: give --manifests PATH, a `kubeconfig` or `endpoint` option, or set KUBECONFIG (in a cluster, the service account is used)');
    }
    const s = new ApiSource({ config: api, store, pods: config.options.pods === 'verified', labels, namespaceLabels, hooks: apiHooks(store, log, () => hostOf(s.access?.server)) });
    source = s;
    try {
      await s.start();
    } catch (err) {
      throw new ConfigError('<command line>', 0, `plugin/kubernetes: cannot load the API configuration: ${(err as Error).message}`);
    }
    log.info(`watching the API at ${s.access!.server} (${s.access!.source})`);
    // As CoreDNS: wait for the first lists up to startup_timeout, then serve anyway (unsynced:
    // not ready, and would-be NXDOMAIN answers are SERVFAIL until the lists complete).
    let timer: NodeJS.Timeout | undefined;
    // The first lists' garbage is collected at once, whether they finish before the timeout or after.
    const listed = s.synced().then(() => { collectGarbage(); return true; });
    listed.catch(() => {});
    const synced = await Promise.race([
      listed,
      new Promise<boolean>((r) => { timer = setTimeout(() => r(false), config.startupTimeoutMs); }),
    ]);
    clearTimeout(timer);
    if (!synced) log.warn(`starting server with unsynced Kubernetes API (not listed yet: ${s.pending().join(', ')})`);
  });
  ctx.onShutdown(async () => { await source?.stop(); });
  ctx.readiness('kubernetes', () => store.synced);
  ctx.provide(AUTOPATH, autoPather(store, config));
  ctx.provide(TRANSFER, transferer(store, config));
  return (next) => new KubernetesHandler(next, config, store, ctx);
}

/** Logs and metrics of the API reflectors. Failures are logged once per resource until it recovers. */
function apiHooks(store: ClusterStore, log: Logger, host: () => string): ReflectorHooks {
  const failing = new Set<string>();
  const fresh = (resource: string): void => {
    lastSync.set({ resource }, Date.now() / 1000);
    if (failing.delete(resource)) log.info(`${resource}: the API answers again`);
  };
  return {
    request(_r, _verb, code) {
      restRequests.inc({ code: code === 0 ? '<error>' : String(code), method: 'GET', host: host() });
    },
    listed(r, count) {
      objects.set({ resource: r.name }, count);
      fresh(r.name);
    },
    event(r, type, raw) {
      watchEvents.inc({ resource: r.name, type });
      fresh(r.name);
      if (r.kind === 'EndpointSlice' && (type === 'ADDED' || type === 'MODIFIED')) programmed(store, raw);
    },
    failed(r, err, retryMs) {
      const code = (err as { code?: unknown }).code;
      apiErrors.inc({ resource: r.name, code: typeof code === 'number' ? String(code) : '0' });
      const what = `${r.name}: ${err.message}${retryMs > 0 ? `; retrying in ${retryMs} ms` : code === 410 ? '; listing again' : ''}`;
      if (code === 410) log.info(what);
      else if (!failing.has(r.name)) { failing.add(r.name); log.error(what); }
    },
    skipped(r, err) { log.warn(`${r.name}: skipped an object: ${err.message}`); },
  };
}

/** host:port of the API server URL, as client-go labels its requests. */
function hostOf(server: string | undefined): string {
  if (server === undefined) return '';
  try { return new URL(server).host; } catch { return ''; }
}

/**
 * coredns_kubernetes_dns_programming_duration_seconds: from the EndpointSlice's
 * endpoints.kubernetes.io/last-change-trigger-time annotation to now, by the service's kind.
 */
function programmed(store: ClusterStore, raw: Record<string, unknown>): void {
  const meta = raw['metadata'] as { annotations?: Record<string, unknown>; labels?: Record<string, unknown>; namespace?: unknown } | undefined;
  const trigger = meta?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'];
  if (typeof trigger !== 'string') return;
  const t = Date.parse(trigger);
  const svcName = meta?.labels?.['kubernetes.io/service-name'];
  if (Number.isNaN(t) || typeof svcName !== 'string' || typeof meta?.namespace !== 'string') return;
  const svc = store.service(meta.namespace, svcName);
  if (svc === undefined) return;
  const kind = !svc.headless ? 'cluster_ip' : svc.hasSelector ? 'headless_with_selector' : 'headless_without_selector';
  dnsProgramming.observe({ service_kind: kind }, Math.max(0, (Date.now() - t) / 1000));
}

export const kubernetesPlugin: PluginDefinition<KubernetesConfig> = {
  name: 'kubernetes',
  once: true,
  parse: parseKubernetes,
  setup: setupKubernetes,
};
