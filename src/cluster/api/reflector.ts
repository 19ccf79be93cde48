/**
 * One resource kept in the store from the API, the way client-go's reflector does it: list (in
 * pages), replace that kind's objects in the store, then watch from the list's resourceVersion
 * with bookmarks, applying each event as it arrives. A watch that ends is resumed from the last
 * resourceVersion seen (event or bookmark); "410 Gone" (history compacted) means list again;
 * every other failure is retried after an exponential, jittered back-off, forever, until stop().
 * While the API is away the store keeps what it had, so answers keep flowing.
 *
 * Objects are slimmed (cluster/convert.ts) as they are read; the API's JSON is never kept.
 */
import { ConvertError, toClusterObject } from '../convert.ts';
import type { ClusterObject } from '../model.ts';
import type { ClusterStore } from '../store.ts';
import { ApiError } from './client.ts';
import type { ApiClient, WatchEvent } from './client.ts';

export interface Resource {
  /** The plural name, as RBAC and metrics name it: `services`, `endpointslices`. */
  readonly name: string;
  readonly kind: ClusterObject['kind'];
  readonly apiVersion: string;
  /** The cluster-wide collection path: `/api/v1/services`. */
  readonly path: string;
  /** A label selector passed to the API (server-side filtering), or null. */
  readonly labelSelector: string | null;
}

/** What a reflector reports, for logs and metrics. */
export interface ReflectorHooks {
  /** Each HTTP answer (or 0 when none came): the rest client's request metric. */
  request(resource: Resource, verb: 'LIST' | 'WATCH', code: number): void;
  /** A complete list was stored. */
  listed(resource: Resource, count: number): void;
  /** A watch event was applied (BOOKMARK included). */
  event(resource: Resource, type: WatchEvent['type'], raw: Record<string, unknown>): void;
  /** A failure; the reflector retries after `retryMs`. */
  failed(resource: Resource, err: Error, retryMs: number): void;
  /** An object the API sent that podns cannot read (skipped). */
  skipped(resource: Resource, err: Error): void;
}

export interface ReflectorOptions {
  /** Items per list page (`limit`). */
  readonly pageSize: number;
  /** The server ends each watch after about this long (`timeoutSeconds`, jittered up to 2×). */
  readonly watchTimeoutSeconds: number;
  /** No byte for this long on a watch (bookmarks included) means the connection is dead. */
  readonly idleMs: number;
  readonly backoffMinMs: number;
  readonly backoffMaxMs: number;
}

export interface ClientProvider {
  /** The current client. */
  client(): ApiClient;
  /** Resolves credentials again (after a 401) and returns the new client; concurrent calls share one resolution. */
  refresh(): Promise<ApiClient>;
}

const ITEM_DEFAULTS = (r: Resource, item: Record<string, unknown>): Record<string, unknown> => {
  item['kind'] ??= r.kind;
  item['apiVersion'] ??= r.apiVersion;
  return item;
};

export class Reflector {
  readonly resource: Resource;
  readonly #clients: ClientProvider;
  readonly #store: ClusterStore;
  readonly #hooks: ReflectorHooks;
  readonly #o: ReflectorOptions;
  readonly #abort = new AbortController();
  #stopped = false;
  #listedOnce = false;
  /** Whether a list was ever started (the first one streams into the store: #list). */
  #listAttempted = false;
  #firstList: () => void = () => {};
  /** Resolves when the first complete list is in the store. */
  readonly firstList: Promise<void>;
  #running: Promise<void> | null = null;

  constructor(resource: Resource, clients: ClientProvider, store: ClusterStore, hooks: ReflectorHooks, options: ReflectorOptions) {
    this.resource = resource;
    this.#clients = clients;
    this.#store = store;
    this.#hooks = hooks;
    this.#o = options;
    this.firstList = new Promise((r) => { this.#firstList = r; });
  }

  get listed(): boolean { return this.#listedOnce; }

  start(): void {
    this.#running ??= this.#loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    await this.#running;
  }

  async #loop(): Promise<void> {
    let rv: string | null = null;
    let backoff = this.#o.backoffMinMs;
    while (!this.#stopped) {
      try {
        if (rv === null) {
          rv = await this.#list();
          backoff = this.#o.backoffMinMs;
        }
        const progressed = await this.#watch(rv, (v) => { rv = v; });
        if (progressed) backoff = this.#o.backoffMinMs;
      } catch (err) {
        if (this.#stopped) break;
        const e = err as Error;
        if (e instanceof ApiError && e.code === 410) {
          // The history we would resume from is gone: list again, at once.
          this.#hooks.failed(this.resource, e, 0);
          rv = null;
          continue;
        }
        if (e instanceof ApiError && e.code === 401) {
          try { await this.#clients.refresh(); } catch (re) { this.#hooks.failed(this.resource, re as Error, 0); }
        }
        const wait = Math.round(backoff / 2 + Math.random() * (backoff / 2));
        this.#hooks.failed(this.resource, e, wait);
        backoff = Math.min(backoff * 2, this.#o.backoffMaxMs);
        await this.#sleep(wait);
      }
    }
  }

  /**
   * Lists every page, replaces the kind in the store; returns the list's resourceVersion.
   *
   * The very first attempt applies each page as it arrives instead (nothing of the kind is held
   * yet, and the state is not synced until every first list is done): 100k pods are not held
   * twice over, once as the list and once in the store (`pods verified`, 100k pods: RSS after
   * load 158 → 134 MiB, ready 4.9 → 4.5 s; bench/README.md). If that attempt fails midway, the
   * next one replaces the kind as a whole, which removes whatever it left that is gone by then.
   */
  async #list(): Promise<string> {
    const r = this.resource;
    const streaming = !this.#listAttempted;
    this.#listAttempted = true;
    const objects: ClusterObject[] = [];
    let count = 0;
    let cont = '';
    let rv = '';
    do {
      const query: Record<string, string> = { limit: String(this.#o.pageSize) };
      if (cont !== '') query['continue'] = cont;
      if (r.labelSelector !== null) query['labelSelector'] = r.labelSelector;
      let page: Record<string, unknown>;
      try {
        page = await this.#clients.client().get(r.path, query, 60_000, this.#abort.signal);
        this.#hooks.request(r, 'LIST', 200);
      } catch (err) {
        this.#hooks.request(r, 'LIST', err instanceof ApiError ? err.code : 0);
        throw err;
      }
      const meta = (page['metadata'] ?? {}) as { resourceVersion?: unknown; continue?: unknown };
      const items = page['items'];
      if (Array.isArray(items)) {
        for (const item of items) {
          const o = this.#convert(item as Record<string, unknown>);
          if (o === null) continue;
          count++;
          if (streaming) this.#store.apply(o); else objects.push(o);
        }
      }
      cont = typeof meta.continue === 'string' ? meta.continue : '';
      if (typeof meta.resourceVersion === 'string') rv = meta.resourceVersion;
    } while (cont !== '' && !this.#stopped);
    if (rv === '') throw new ApiError(0, 'BadResponse', `${r.path}: the list has no resourceVersion`);
    if (!streaming) this.#store.replaceKind(r.kind, objects);
    this.#hooks.listed(r, count);
    if (!this.#listedOnce) {
      this.#listedOnce = true;
      this.#firstList();
    }
    return rv;
  }

  /** One watch from `rv`; reports each new resourceVersion. Returns whether any event arrived. */
  async #watch(rv: string, seen: (rv: string) => void): Promise<boolean> {
    const r = this.resource;
    const timeout = Math.round(this.#o.watchTimeoutSeconds * (1 + Math.random()));
    const query: Record<string, string> = { resourceVersion: rv, allowWatchBookmarks: 'true', timeoutSeconds: String(timeout) };
    if (r.labelSelector !== null) query['labelSelector'] = r.labelSelector;
    let any = false;
    let code = 200;
    try {
      await this.#clients.client().watch(r.path, query, (e) => {
        any = true;
        this.#apply(e, seen);
      }, this.#o.idleMs, this.#abort.signal);
    } catch (err) {
      code = err instanceof ApiError ? err.code : 0;
      throw err;
    } finally {
      this.#hooks.request(r, 'WATCH', code);
    }
    return any;
  }

  #apply(e: WatchEvent, seen: (rv: string) => void): void {
    const r = this.resource;
    const obj = e.object ?? {};
    if (e.type === 'ERROR') {
      const s = obj as { code?: unknown; reason?: unknown; message?: unknown };
      throw new ApiError(typeof s.code === 'number' ? s.code : 0, typeof s.reason === 'string' ? s.reason : '', typeof s.message === 'string' ? s.message : 'watch error');
    }
    const meta = (obj['metadata'] ?? {}) as { resourceVersion?: unknown; namespace?: unknown; name?: unknown };
    if (e.type !== 'BOOKMARK') {
      const converted = this.#convert(obj);
      if (e.type === 'DELETED' || converted === null) {
        const name = typeof meta.name === 'string' ? meta.name : '';
        const namespace = typeof meta.namespace === 'string' ? meta.namespace : '';
        this.#store.remove(stub(r.kind, namespace, name));
      } else {
        this.#store.apply(converted);
      }
    }
    this.#hooks.event(r, e.type, obj);
    if (typeof meta.resourceVersion === 'string' && meta.resourceVersion !== '') seen(meta.resourceVersion);
  }

  #convert(item: Record<string, unknown>): ClusterObject | null {
    try {
      const o = toClusterObject(ITEM_DEFAULTS(this.resource, item));
      return o !== undefined && o.kind === this.resource.kind ? o : null;
    } catch (err) {
      if (!(err instanceof ConvertError)) throw err;
      this.#hooks.skipped(this.resource, err);
      return null;
    }
  }

  #sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const signal = this.#abort.signal;
      function done(): void { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); }
      signal.addEventListener('abort', done);
    });
  }
}

/** Just enough of an object for ClusterStore.remove (kind, namespace, name). */
function stub(kind: ClusterObject['kind'], namespace: string, name: string): ClusterObject {
  switch (kind) {
    case 'Namespace': return { kind, name };
    case 'Pod': return { kind, namespace, name, ips: [], hostNetwork: false };
    case 'Service': return { kind, namespace, name, type: 'ClusterIP', headless: false, clusterIPs: [], externalName: '', ports: [], externalIPs: [], hasSelector: false };
    case 'EndpointSlice': return { kind, namespace, name, service: '', addressType: 'IPv4', ips: [], hostnames: null, podNames: null, ports: [] };
  }
}
