/**
 * ApiSource: the cluster state from a live API server. One Reflector per resource DNS needs —
 * namespaces, services, endpointslices, and pods only when the kubernetes plugin trusts them
 * (`pods verified`) — all writing into one ClusterStore. The store is marked synced once every
 * resource has been listed; until then /ready is not ready and would-be NXDOMAIN answers are
 * SERVFAIL (records.ts). Credentials are resolved once at start and again after a 401.
 *
 * `labels` filters services, endpointslices and pods, `namespace_labels` filters namespaces,
 * both on the API server (labelSelector), as CoreDNS does; an object that stops matching arrives
 * as a DELETED event.
 */
import type { Selector } from '../selector.ts';
import { formatSelector } from '../selector.ts';
import type { ClusterStore } from '../store.ts';
import { ApiClient } from './client.ts';
import type { ApiAccess, ApiConfig } from './credentials.ts';
import { resolveAccess } from './credentials.ts';
import { Reflector } from './reflector.ts';
import type { ClientProvider, ReflectorHooks, ReflectorOptions, Resource } from './reflector.ts';

export interface ApiSourceOptions {
  readonly config: ApiConfig;
  readonly store: ClusterStore;
  /** Watch pods (`pods verified`). */
  readonly pods: boolean;
  readonly labels?: Selector | undefined;
  readonly namespaceLabels?: Selector | undefined;
  readonly hooks: ReflectorHooks;
  /** Resolves credentials (default: the client-node worker); tests may inject. */
  readonly resolve?: (config: ApiConfig) => Promise<ApiAccess>;
  readonly reflector?: Partial<ReflectorOptions>;
}

export const DEFAULT_REFLECTOR: ReflectorOptions = {
  pageSize: 500,
  watchTimeoutSeconds: 300,
  idleMs: 120_000,
  backoffMinMs: 500,
  backoffMaxMs: 30_000,
};

export function resources(pods: boolean, labels: Selector | undefined, namespaceLabels: Selector | undefined): Resource[] {
  const sel = labels === undefined ? null : formatSelector(labels);
  const out: Resource[] = [
    { name: 'namespaces', kind: 'Namespace', apiVersion: 'v1', path: '/api/v1/namespaces', labelSelector: namespaceLabels === undefined ? null : formatSelector(namespaceLabels) },
    { name: 'services', kind: 'Service', apiVersion: 'v1', path: '/api/v1/services', labelSelector: sel },
    { name: 'endpointslices', kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', path: '/apis/discovery.k8s.io/v1/endpointslices', labelSelector: sel },
  ];
  if (pods) out.push({ name: 'pods', kind: 'Pod', apiVersion: 'v1', path: '/api/v1/pods', labelSelector: sel });
  return out;
}

export class ApiSource implements ClientProvider {
  readonly #o: ApiSourceOptions;
  readonly #resolve: (config: ApiConfig) => Promise<ApiAccess>;
  #client: ApiClient | null = null;
  #refreshing: Promise<ApiClient> | null = null;
  readonly #reflectors: Reflector[] = [];

  constructor(options: ApiSourceOptions) {
    this.#o = options;
    this.#resolve = options.resolve ?? resolveAccess;
  }

  /** Where the API is and how podns authenticates (for the startup log); valid after start(). */
  get access(): ApiAccess | null { return this.#client?.access ?? null; }

  client(): ApiClient {
    if (this.#client === null) throw new Error('ApiSource: not started');
    return this.#client;
  }

  refresh(): Promise<ApiClient> {
    this.#refreshing ??= this.#resolve(this.#o.config).then((access) => {
      this.#client?.close();
      this.#client = new ApiClient(access);
      return this.#client;
    }).finally(() => { this.#refreshing = null; });
    return this.#refreshing;
  }

  /**
   * Resolves the credentials (a bad kubeconfig fails here, with the client's error) and starts
   * every reflector; does not wait for the lists (see synced()).
   */
  async start(): Promise<void> {
    await this.refresh();
    const options = { ...DEFAULT_REFLECTOR, ...this.#o.reflector };
    for (const r of resources(this.#o.pods, this.#o.labels, this.#o.namespaceLabels)) {
      this.#reflectors.push(new Reflector(r, this, this.#o.store, this.#o.hooks, options));
    }
    for (const r of this.#reflectors) r.start();
    void this.synced().then(() => this.#o.store.markSynced(), () => {});
  }

  /** Resolves once every resource has been listed. */
  synced(): Promise<void> {
    return Promise.all(this.#reflectors.map((r) => r.firstList)).then(() => {});
  }

  /** The resources not listed yet (for logs while waiting). */
  pending(): string[] {
    return this.#reflectors.filter((r) => !r.listed).map((r) => r.resource.name);
  }

  async stop(): Promise<void> {
    await Promise.all(this.#reflectors.map((r) => r.stop()));
    this.#client?.close();
  }
}
