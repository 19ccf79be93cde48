/**
 * A Kubernetes API server double for tests: the real wire protocol over HTTP on 127.0.0.1, so
 * that @kubernetes/client-node and podns's own list/watch code run against it unchanged (no
 * kube-apiserver can run where the tests run). It serves core/v1 namespaces, services, pods and
 * endpoints and discovery.k8s.io/v1 endpointslices (and, for `podns lint`, nodes, configmaps and
 * the apps/v1 and batch/v1 workloads) from an in-memory store with one global
 * resourceVersion counter (an etcd revision), and keeps the history of changes so that paginated
 * lists read a consistent snapshot and watches resume from any retained resourceVersion.
 *
 * Behaviours copied from k8s.io/apiserver (the sources are named where they are implemented):
 * - lists: items without kind/apiVersion; `limit`/`continue` with etcd3's token
 *   (base64url JSON {v,rv,start}); every page reads the first page's revision; a continue token
 *   whose revision was compacted → 410 Expired carrying a fresh "inconsistent" continue token;
 *   `remainingItemCount` only without selectors; `resourceVersion=0` is served from the watch
 *   cache, which ignores `limit`; `resourceVersionMatch=Exact` reads that revision.
 * - watches: 200 with a chunked stream of one JSON event per line, objects with kind/apiVersion;
 *   resourceVersion ""/"0" starts with synthetic ADDED for the current state; N replays the
 *   events after N; too old → 200 then an ERROR event (Status 410 Expired) and the end; a label
 *   or field selector turns "stops matching" into DELETED (old content, the event's RV) and
 *   "starts matching" into ADDED; BOOKMARKs carry only metadata.resourceVersion and are sent
 *   every `bookmarkIntervalMs` (the real server: about a minute) and 2 s before the
 *   `timeoutSeconds` deadline (so none when it is 2 s or less), only once the revision moved
 *   past the watch's start;
 *   `sendInitialEvents=true` ends its initial events with a bookmark annotated
 *   `k8s.io/initial-events-end`; a resourceVersion ahead of the store waits (3 s) for it, then
 *   fails with 504 "Too large resource version".
 * - errors are Status objects: 401 without the bearer token, 403 with RBAC's message for a
 *   forbidden resource, 404, 400, 405, 422 for invalid list options.
 * - an update that changes nothing is a no-op (no new resourceVersion, no event), as in etcd3's
 *   GuaranteedUpdate; a DELETED event carries the last state with the deletion's revision;
 *   Namespaces get the `kubernetes.io/metadata.name` label, `spec.finalizers` and phase Active
 *   (no other defaulting: objects are stored as given, plus uid/resourceVersion/creationTimestamp).
 * The kubeconfig it writes says `insecure-skip-tls-verify: true`: client-node refuses http:
 * servers otherwise.
 * Not modelled: writes over HTTP (tests change state with apply/remove), protobuf, namespace
 * cascading deletion, the watch cache's bounded window (history is kept until compact()).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matchesSelector, parseSelector, SelectorError } from '../cluster/selector.ts';
import type { Selector } from '../cluster/selector.ts';

type Json = Record<string, unknown>;
interface Meta extends Json { name: string; namespace?: string; uid: string; resourceVersion: string; creationTimestamp: string }
/** An object as stored: kind, apiVersion and the server-set metadata always present. */
interface Stored extends Json { kind: string; apiVersion: string; metadata: Meta }

interface ResourceType {
  readonly resource: string; readonly kind: string; readonly group: string; readonly apiVersion: string;
  readonly namespaced: boolean;
  /** Field selector labels besides metadata.name/metadata.namespace (the types' field sets). */
  readonly fields: readonly string[];
}
const TYPES: readonly ResourceType[] = [
  { resource: 'namespaces', kind: 'Namespace', group: '', apiVersion: 'v1', namespaced: false, fields: ['status.phase'] },
  { resource: 'services', kind: 'Service', group: '', apiVersion: 'v1', namespaced: true, fields: [] },
  { resource: 'pods', kind: 'Pod', group: '', apiVersion: 'v1', namespaced: true,
    fields: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'] },
  { resource: 'endpoints', kind: 'Endpoints', group: '', apiVersion: 'v1', namespaced: true, fields: [] },
  { resource: 'endpointslices', kind: 'EndpointSlice', group: 'discovery.k8s.io', apiVersion: 'discovery.k8s.io/v1', namespaced: true, fields: [] },
  // Read by `podns lint` over a live cluster (workloads' pod templates, ConfigMaps, Node IPs).
  { resource: 'nodes', kind: 'Node', group: '', apiVersion: 'v1', namespaced: false, fields: ['spec.unschedulable'] },
  { resource: 'configmaps', kind: 'ConfigMap', group: '', apiVersion: 'v1', namespaced: true, fields: [] },
  { resource: 'replicationcontrollers', kind: 'ReplicationController', group: '', apiVersion: 'v1', namespaced: true, fields: ['status.replicas'] },
  { resource: 'deployments', kind: 'Deployment', group: 'apps', apiVersion: 'apps/v1', namespaced: true, fields: [] },
  { resource: 'statefulsets', kind: 'StatefulSet', group: 'apps', apiVersion: 'apps/v1', namespaced: true, fields: [] },
  { resource: 'daemonsets', kind: 'DaemonSet', group: 'apps', apiVersion: 'apps/v1', namespaced: true, fields: [] },
  { resource: 'replicasets', kind: 'ReplicaSet', group: 'apps', apiVersion: 'apps/v1', namespaced: true, fields: ['status.replicas'] },
  { resource: 'jobs', kind: 'Job', group: 'batch', apiVersion: 'batch/v1', namespaced: true, fields: ['status.successful'] },
  { resource: 'cronjobs', kind: 'CronJob', group: 'batch', apiVersion: 'batch/v1', namespaced: true, fields: [] },
];
/** The API groups besides core, as discovery lists them. */
const GROUPS = [...new Set(TYPES.filter((t) => t.group !== '').map((t) => t.apiVersion))];

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
/** One committed change; `prev` is the state before (absent for ADDED). */
interface Change { readonly rv: number; readonly type: EventType; readonly rt: ResourceType; readonly key: string; readonly obj: Stored; readonly prev: Stored | undefined }

export interface ApiRequest { readonly method: string; readonly path: string; readonly query: Record<string, string>; readonly watch: boolean }

export interface ApiDoubleOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** The bearer token required on every request; null: no authentication. Default: random. */
  token?: string | null;
  /** Applied in order at start. */
  objects?: object[];
  /** How often a watch with allowWatchBookmarks gets a BOOKMARK (default 1000 ms). */
  bookmarkIntervalMs?: number;
  /** How long a request for a resourceVersion ahead of the store waits (default 3000 ms, the real blockTimeout). */
  freshnessWaitMs?: number;
  /** The user named in 403 messages. */
  user?: string;
}

export interface ApiDouble {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** '' when authentication is off. */
  readonly token: string;
  /** The current (global) resourceVersion. */
  readonly resourceVersion: string;
  readonly requests: ReadonlyArray<ApiRequest>;
  /** Writes a kubeconfig (cluster url, bearer-token user, current-context) into dir (default: a temporary directory removed by close()) and returns its path. */
  kubeconfig(dir?: string): string;
  /** Creates or replaces by kind/namespace/name (namespace defaults to "default"); ADDED or MODIFIED to watchers. */
  apply(obj: object): void;
  /** Deletes (throws if absent); DELETED to watchers with the last state and the deletion's resourceVersion. namespace is ignored for Namespaces. */
  remove(kind: string, namespace: string, name: string): void;
  /** A copy of the stored object (with kind/apiVersion and server-set metadata). */
  get(kind: string, namespace: string, name: string): Json | undefined;
  /** Forgets the history: a watch from an older resourceVersion gets ERROR 410, a continue token 410. */
  compact(): void;
  /** RBAC: every verb on the resource (`services`, `endpointslices`...) answers 403 / is allowed again. */
  forbid(resource: string): void;
  allow(resource: string): void;
  /**
   * A fault: the next list of the resource fails at its `page`th page (1: the first) with 500
   * InternalError, after `meanwhile` ran (to change the state between a list's pages and its retry).
   */
  failList(resource: string, page: number, meanwhile?: () => void): void;
  /** The API goes away: the listener closes and every open connection is destroyed. */
  stop(): Promise<void>;
  /** Comes back on the same port with the same state. */
  start(): Promise<void>;
  /** Open watch streams. */
  watchers(): number;
  /** Ends every open watch stream cleanly, as the real server does at a watch's timeout or when its watch cache re-initializes. */
  endWatches(): void;
  close(): Promise<void>;
}

class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: Json | undefined;
  readonly listMeta: Json | undefined;
  constructor(code: number, reason: string, message: string, details?: Json, listMeta?: Json) {
    super(message);
    this.code = code; this.reason = reason; this.details = details; this.listMeta = listMeta;
  }
  /** The Status object (metav1.Status; `metadata` is its ListMeta). */
  body(): Json {
    return { kind: 'Status', apiVersion: 'v1', metadata: this.listMeta ?? {}, status: 'Failure', message: this.message, reason: this.reason,
      ...(this.details === undefined ? {} : { details: this.details }), code: this.code };
  }
}
const badRequest = (message: string): ApiError => new ApiError(400, 'BadRequest', message);
/** apimachinery's ValidateListOptions failures (422, one cause). */
const invalid = (field: string, message: string): ApiError => new ApiError(422, 'Invalid',
  `ListOptions.meta.k8s.io "" is invalid: ${field}: Forbidden: ${message}`,
  { group: 'meta.k8s.io', kind: 'ListOptions', causes: [{ reason: 'FieldValueForbidden', message: `Forbidden: ${message}`, field }] });
/** storage.NewTooLargeResourceVersionError. */
const tooLarge = (wanted: number, current: number): ApiError => new ApiError(504, 'Timeout',
  `Timeout: Too large resource version: ${wanted}, current: ${current}`,
  { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
// etcd3 store.go's messages.
const LIST_EXPIRED = 'The resourceVersion for the provided list is too old.';
const INCONSISTENT_CONTINUE = 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

const isTrue = (v: string | undefined): boolean => v !== undefined && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v);
const timestamp = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const withRV = (o: Stored, rv: number): Stored => ({ ...o, metadata: { ...o.metadata, resourceVersion: String(rv) } });
/** JSON with sorted keys, to tell a no-op update. */
const canon = (v: unknown): string => Array.isArray(v) ? `[${v.map(canon).join(',')}]`
  : v !== null && typeof v === 'object' ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon((v as Json)[k])}`).join(',')}}` : JSON.stringify(v);

function typeOfKind(kind: unknown): ResourceType {
  const rt = TYPES.find((t) => t.kind === kind);
  if (rt === undefined) throw new Error(`apiserver double: unsupported kind ${String(kind)} (supported: ${TYPES.map((t) => t.kind).join(', ')})`);
  return rt;
}
const keyOf = (rt: ResourceType, namespace: string, name: string): string => (rt.namespaced ? `${namespace || 'default'}/${name}` : name);

/** etcd3 continue tokens (k8s.io/apiserver/pkg/storage/continue.go): start key relative to the list's prefix. */
const encodeContinue = (start: string, rv: number): string =>
  Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
function decodeContinue(token: string): { rv: number; start: string } {
  let c: { v?: unknown; rv?: unknown; start?: unknown };
  try { c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof c; } catch (e) {
    throw badRequest(`invalid continue token: continue key is not valid: ${(e as Error).message}`);
  }
  if (c.v !== 'meta.k8s.io/v1') throw badRequest(`invalid continue token: continue key is not valid: server does not recognize this encoded version ${JSON.stringify(c.v)}`);
  if (typeof c.rv !== 'number' || c.rv === 0) throw badRequest('invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof c.start !== 'string' || c.start === '') throw badRequest('invalid continue token: continue key is not valid: encoded start key empty (version meta.k8s.io/v1)');
  return { rv: c.rv, start: c.start };
}

interface Filter { readonly namespace: string | undefined; readonly label: Selector; readonly fields: ReadonlyArray<{ key: string; value: string; not: boolean }> }
function fieldValue(o: Stored, path: string): string {
  let v: unknown = o;
  for (const p of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Json)[p] : undefined;
  return v === undefined || v === null ? '' : String(v);
}
function passes(f: Filter, o: Stored): boolean {
  if (f.namespace !== undefined && o.metadata.namespace !== f.namespace) return false;
  if (!matchesSelector(f.label, (o.metadata['labels'] ?? {}) as Record<string, string>)) return false;
  return f.fields.every((r) => (fieldValue(o, r.key) === r.value) !== r.not);
}
function filterOf(rt: ResourceType, namespace: string | undefined, name: string | undefined, q: Record<string, string>): Filter {
  let label: Selector;
  try { label = parseSelector(q['labelSelector'] ?? ''); } catch (e) {
    if (e instanceof SelectorError) throw badRequest(`unable to parse requirement: ${e.message}`);
    throw e;
  }
  const fields: Array<{ key: string; value: string; not: boolean }> = [];
  for (const part of (q['fieldSelector'] ?? '').split(',').filter((s) => s.trim() !== '')) {
    const m = /^\s*([^!=\s]+)\s*(!=|==|=)\s*(.*?)\s*$/.exec(part);
    if (m === null) throw badRequest(`invalid selector: '${q['fieldSelector']}'; can't understand '${part}'`);
    const key = m[1] as string;
    if (!['metadata.name', 'metadata.namespace', ...rt.fields].includes(key)) throw badRequest(`field label not supported: ${key}`);
    fields.push({ key, value: m[3] as string, not: m[2] === '!=' });
  }
  if (name !== undefined) fields.push({ key: 'metadata.name', value: name, not: false });
  return { namespace, label, fields };
}

interface Watcher { readonly rt: ResourceType; readonly filter: Filter; threshold: number; send(type: string, object: Json): void; end(graceful: boolean): void }

export async function startApiDouble(options: ApiDoubleOptions = {}): Promise<ApiDouble> {
  const token = options.token === undefined ? randomBytes(16).toString('hex') : options.token;
  const user = options.user ?? 'system:serviceaccount:kube-system:podns';
  const bookmarkMs = options.bookmarkIntervalMs ?? 1000;
  const freshnessMs = options.freshnessWaitMs ?? 3000;

  let rv = 0;
  /** Events after this revision are all in `history`. */
  let compactedAt = 0;
  let history: Change[] = [];
  const store = new Map<ResourceType, Map<string, Stored>>(TYPES.map((t) => [t, new Map()]));
  const forbidden = new Set<string>();
  /** failList: per resource, the page of its next list that fails, counted down by each page served. */
  const listFaults = new Map<string, { page: number; meanwhile: () => void }>();
  const requests: ApiRequest[] = [];
  const watchers = new Set<Watcher>();
  const waiters = new Set<{ rv: number; done(ok: boolean): void }>();
  let server: Server | null = null;
  const sockets = new Set<Socket>();
  let port = options.port ?? 0;
  let tempDir: string | undefined;

  const commit = (c: Change): void => {
    history.push(c);
    for (const w of watchers) deliver(w, c);
    for (const w of waiters) if (w.rv <= rv) w.done(true);
  };
  /** cacheWatcher.convertToWatchEvent: an event as this watcher sees it through its filter. */
  const deliver = (w: Watcher, c: Change): void => {
    if (c.rt !== w.rt) return;
    const cur = c.type !== 'DELETED' && passes(w.filter, c.obj);
    const old = c.prev !== undefined && passes(w.filter, c.prev);
    if (cur) w.send(old ? 'MODIFIED' : 'ADDED', c.obj);
    else if (old && c.prev !== undefined) w.send('DELETED', withRV(c.prev, c.rv));
  };
  /** watchCache.waitUntilFreshAndBlock: resolves false if the store is still behind after freshnessMs. */
  const fresh = (want: number): Promise<boolean> => want <= rv ? Promise.resolve(true) : new Promise((resolve) => {
    const w = { rv: want, done: (ok: boolean) => { clearTimeout(timer); waiters.delete(w); resolve(ok); } };
    const timer = setTimeout(() => w.done(false), freshnessMs);
    waiters.add(w);
  });
  /** The type's objects at revision `at` (current state with the later changes undone). */
  const snapshot = (rt: ResourceType, at: number): Map<string, Stored> => {
    const m = new Map(store.get(rt));
    for (let i = history.length - 1; i >= 0 && (history[i] as Change).rv > at; i--) {
      const c = history[i] as Change;
      if (c.rt !== rt) continue;
      if (c.prev === undefined) m.delete(c.key); else m.set(c.key, c.prev);
    }
    return m;
  };
  const parseRV = (s: string): number => {
    if (!/^\d+$/.test(s)) throw badRequest(`invalid resource version: ${JSON.stringify(s)}`);
    return Number(s);
  };

  /**
   * The keys of a list, relative to its prefix, in etcd's byte order — sorted once per resource,
   * revision and prefix, not once per page (a paged list of 100k objects is 200 pages).
   */
  const sorted = new Map<string, { at: number; keys: string[] }>();
  const sortedKeys = (rt: ResourceType, at: number, prefix: string, objects: Map<string, Stored>): string[] => {
    const id = `${rt.group}/${rt.resource}|${prefix}`;
    const hit = sorted.get(id);
    if (hit !== undefined && hit.at === at) return hit.keys;
    const keys = [...objects.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)).sort();
    sorted.set(id, { at, keys });
    return keys;
  };

  /** GET collection (etcd3 store.GetList / cacher.GetList). */
  const list = async (res: ServerResponse, rt: ResourceType, filter: Filter, q: Record<string, string>): Promise<void> => {
    const { resourceVersion: rvParam = '', resourceVersionMatch: match = '', continue: cont = '' } = q;
    if (match !== '' && rvParam === '') throw invalid('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided');
    if (match !== '' && cont !== '') throw invalid('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided');
    if (match === 'Exact' && rvParam === '0') throw invalid('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    if (match !== '' && match !== 'Exact' && match !== 'NotOlderThan') throw new ApiError(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan", ""`);
    const limit = q['limit'] === undefined ? 0 : Number(q['limit']);
    if (!Number.isInteger(limit)) throw badRequest(`invalid limit: ${q['limit']}`);
    let at = rv;
    let start = '';
    let paging = limit > 0;
    if (cont !== '') {
      if (rvParam !== '' && rvParam !== '0') throw badRequest('specifying resource version is not allowed when using continue');
      const token = decodeContinue(cont);
      start = token.start;
      if (token.rv !== -1) { // -1: continue at the latest revision (what a 410 hands out)
        if (token.rv < compactedAt) throw new ApiError(410, 'Expired', INCONSISTENT_CONTINUE, undefined, { continue: encodeContinue(start, -1) });
        at = token.rv;
      }
    } else if (rvParam === '0') {
      paging = false; // cacher.shouldDelegateList: served from the watch cache, which ignores limit
    } else if (rvParam !== '') {
      const want = parseRV(rvParam);
      if (!(await fresh(want))) throw tooLarge(want, rv);
      if (match === 'Exact') {
        if (want < compactedAt) throw new ApiError(410, 'Expired', LIST_EXPIRED);
        at = want;
      }
    }
    const objects = at === rv ? (store.get(rt) as Map<string, Stored>) : snapshot(rt, at);
    // Keys relative to the list's prefix (`<ns>/` for a namespaced list), in etcd's byte order.
    const prefix = filter.namespace === undefined ? '' : `${filter.namespace}/`;
    const keys = sortedKeys(rt, at, prefix, objects);
    const items: Stored[] = [];
    let last = '';
    let remaining = 0;
    for (let i = lowerBound(keys, start); i < keys.length; i++) {
      if (paging && items.length >= limit) { remaining = keys.length - i; break; }
      last = keys[i] as string;
      const o = objects.get(prefix + last) as Stored;
      if (passes(filter, o)) items.push(o);
    }
    const metadata: Json = { resourceVersion: String(at) };
    if (remaining > 0) {
      metadata['continue'] = encodeContinue(`${last}\u0000`, at);
      if (filter.label.requirements.length === 0 && filter.fields.length === 0) metadata['remainingItemCount'] = remaining;
    }
    // A list's items carry no kind/apiVersion (kubernetes/kubernetes#3030).
    const bare = items.map((o) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'kind' && k !== 'apiVersion')));
    sendJson(res, 200, { kind: `${rt.kind}List`, apiVersion: rt.apiVersion, metadata, items: bare });
  };

  /** GET collection?watch=true (cacher.Watch, cacheWatcher, handlers/watch.go). */
  const watch = async (res: ServerResponse, rt: ResourceType, filter: Filter, q: Record<string, string>): Promise<void> => {
    const match = q['resourceVersionMatch'] ?? '';
    const initial = q['sendInitialEvents'] !== undefined;
    if (initial && match !== 'NotOlderThan') throw invalid('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    if (!initial && match !== '') throw invalid('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
    const sendInitial = isTrue(q['sendInitialEvents']);
    const bookmarks = isTrue(q['allowWatchBookmarks']);
    const timeoutS = Number(q['timeoutSeconds'] ?? 0);
    const requested = q['resourceVersion'] ?? '';
    const want = requested === '' ? 0 : parseRV(requested);
    const ok = await fresh(want);
    if (res.destroyed) return;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    const line = (type: string, object: Json): void => { if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify({ type, object })}\n`); };
    // Errors after authn/authz and a parsed resourceVersion are an ERROR event, not a status code
    // (cacher.go: "To match the uncached watch implementation ...").
    const fail = (e: ApiError): void => { line('ERROR', e.body()); res.end(); };
    if (!ok) return fail(tooLarge(want, rv));
    // sendInitialEvents=false (or resourceVersion set) starts at the revision without the state.
    const fromState = initial ? sendInitial : want === 0;
    const from = want === 0 ? rv : want;
    if (!fromState && from < compactedAt) return fail(new ApiError(410, 'Expired', `too old resource version: ${from} (${compactedAt})`));

    const timers: NodeJS.Timeout[] = [];
    let open = true;
    const w: Watcher = {
      rt, filter, threshold: rv, send: line,
      end: (graceful) => {
        if (!open) return;
        open = false;
        for (const t of timers) clearTimeout(t);
        watchers.delete(w);
        if (graceful && !res.writableEnded) res.end();
      },
    };
    const bookmark = (annotate: boolean): void => line('BOOKMARK', { kind: rt.kind, apiVersion: rt.apiVersion,
      metadata: { resourceVersion: String(rv), creationTimestamp: null, ...(annotate ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}) } });
    if (fromState) {
      const objects = store.get(rt) as Map<string, Stored>;
      for (const k of [...objects.keys()].sort()) { const o = objects.get(k) as Stored; if (passes(filter, o)) line('ADDED', o); }
      if (sendInitial && bookmarks) bookmark(true);
    } else {
      w.threshold = from;
      for (const c of history) if (c.rv > from && c.rt === rt) { deliver(w, c); w.threshold = c.rv; }
    }
    watchers.add(w);
    res.on('close', () => w.end(false));
    // cacheWatcher.nextBookmarkTime: every interval, and 2 s before the deadline; a bookmark
    // goes out only when the revision is past what the watcher has seen.
    const deadline = timeoutS > 0 ? Date.now() + timeoutS * 1000 : 0;
    const schedule = (): void => {
      let at = Date.now() + bookmarkMs;
      if (deadline > 0) { at = Math.min(at, deadline - 2000); if (at < Date.now()) return; }
      timers.push(setTimeout(() => { if (rv > w.threshold) bookmark(false); schedule(); }, at - Date.now()));
    };
    if (bookmarks) schedule();
    if (deadline > 0) timers.push(setTimeout(() => w.end(true), timeoutS * 1000));
  };

  const discovery = (path: string): Json | undefined => {
    const resources = (apiVersion: string): Json => ({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersion,
      resources: TYPES.filter((t) => t.apiVersion === apiVersion).map((t) => ({ name: t.resource, singularName: t.kind.toLowerCase(), namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'list', 'watch'] })) });
    const groupOf = (gv: string): Json => {
      const [name, version] = gv.split('/') as [string, string];
      return { name, versions: [{ groupVersion: gv, version }], preferredVersion: { groupVersion: gv, version } };
    };
    const m = /^\/apis\/([^/]+\/[^/]+)$/.exec(path);
    if (m !== null && GROUPS.includes(m[1]!)) return resources(m[1]!);
    const g = GROUPS.find((gv) => path === `/apis/${gv.split('/')[0]}`);
    if (g !== undefined) return { kind: 'APIGroup', apiVersion: 'v1', ...groupOf(g) };
    switch (path) {
      case '/version': return { major: '1', minor: '33', gitVersion: 'v1.33.0', gitCommit: 'podns-apiserver-double', gitTreeState: 'clean', buildDate: '2025-04-23T00:00:00Z', goVersion: 'go1.24.2', compiler: 'gc', platform: 'linux/amd64' };
      case '/api': return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${port}` }] };
      case '/apis': return { kind: 'APIGroupList', apiVersion: 'v1', groups: GROUPS.map(groupOf) };
      case '/api/v1': return resources('v1');
      default: return undefined;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const q = Object.fromEntries(url.searchParams);
    const isWatch = isTrue(q['watch']);
    requests.push({ method: req.method ?? 'GET', path: url.pathname, query: q, watch: isWatch });
    // Anonymous requests are off, so every path needs the token (kube-apiserver --anonymous-auth=false).
    if (token !== null && req.headers.authorization !== `Bearer ${token}`) throw new ApiError(401, 'Unauthorized', 'Unauthorized');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (['/healthz', '/livez', '/readyz'].includes(path)) { res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }); res.end('ok'); return; }
    const doc = discovery(path);
    if (doc !== undefined) { sendJson(res, 200, doc); return; }
    const m = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))\/(.+)$/.exec(path);
    const apiVersion = m === null ? '' : m[1] ?? m[2]!;
    if (m === null || (apiVersion !== 'v1' && !GROUPS.includes(apiVersion))) { res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }); res.end('404 page not found\n'); return; }
    const seg = (m[3] as string).split('/').map(decodeURIComponent);
    const nsPath = seg[0] === 'namespaces' && seg.length >= 3;
    const [namespace, resource, name, extra] = nsPath ? [seg[1], seg[2], seg[3], seg[4]] : [undefined, seg[0], seg[1], seg[2]];
    const rt = TYPES.find((t) => t.apiVersion === apiVersion && t.resource === resource);
    if (rt === undefined || extra !== undefined || (namespace !== undefined && !rt.namespaced) || (namespace === undefined && name !== undefined && rt.namespaced)) {
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
    }
    const verb = isWatch ? 'watch' : name !== undefined ? 'get' : 'list';
    if (req.method !== 'GET') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
    if (forbidden.has(rt.resource)) { // RBAC's forbiddenMessage (endpoints/handlers/responsewriters/errors.go)
      const scope = namespace ?? (rt.resource === 'namespaces' ? name : undefined);
      const qualified = rt.group === '' ? rt.resource : `${rt.resource}.${rt.group}`;
      throw new ApiError(403, 'Forbidden',
        `${qualified}${name === undefined ? '' : ` "${name}"`} is forbidden: User "${user}" cannot ${verb} resource "${rt.resource}" in API group "${rt.group}" ${scope === undefined ? 'at the cluster scope' : `in the namespace "${scope}"`}`,
        { ...(name === undefined ? {} : { name }), ...(rt.group === '' ? {} : { group: rt.group }), kind: rt.resource });
    }
    const filter = filterOf(rt, namespace, isWatch ? name : undefined, q);
    if (isWatch) return watch(res, rt, filter, q);
    if (name === undefined) {
      const fault = listFaults.get(rt.resource);
      if (fault !== undefined && --fault.page <= 0) {
        listFaults.delete(rt.resource);
        fault.meanwhile();
        throw new ApiError(500, 'InternalError', 'Internal error occurred: injected by failList', {});
      }
      return list(res, rt, filter, q);
    }
    const o = store.get(rt)?.get(keyOf(rt, namespace ?? '', name));
    if (o === undefined) throw new ApiError(404, 'NotFound', `${rt.group === '' ? rt.resource : `${rt.resource}.${rt.group}`} "${name}" not found`, { name, ...(rt.group === '' ? {} : { group: rt.group }), kind: rt.resource });
    sendJson(res, 200, o);
  };

  const listen = async (): Promise<void> => {
    const s = createServer((req, res) => {
      handle(req, res).catch((e: unknown) => {
        const err = e instanceof ApiError ? e : new ApiError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
        if (!res.headersSent && !res.destroyed) sendJson(res, err.code, err.body());
      });
    });
    s.on('connection', (c: Socket) => { sockets.add(c); c.on('close', () => sockets.delete(c)); });
    await new Promise<void>((resolve, reject) => { s.once('error', reject); s.listen(port, '127.0.0.1', () => { s.off('error', reject); resolve(); }); });
    const addr = s.address();
    if (addr !== null && typeof addr === 'object') port = addr.port;
    server = s;
  };

  const double: ApiDouble = {
    get url() { return `http://127.0.0.1:${port}`; },
    get port() { return port; },
    get token() { return token ?? ''; },
    get resourceVersion() { return String(rv); },
    requests,
    kubeconfig(dir?: string): string {
      if (dir === undefined) tempDir ??= mkdtempSync(join(tmpdir(), 'podns-apiserver-'));
      const file = join(dir ?? (tempDir as string), 'kubeconfig');
      const userEntry = token === null ? '  user: {}' : `  user:\n    token: ${JSON.stringify(token)}`;
      writeFileSync(file, [
        'apiVersion: v1', 'kind: Config', 'clusters:', '- name: podns-double', '  cluster:', `    server: ${JSON.stringify(double.url)}`,
        // Plain HTTP: @kubernetes/client-node refuses an http: server unless TLS verification is off.
        '    insecure-skip-tls-verify: true',
        'users:', '- name: podns', userEntry,
        'contexts:', '- name: podns-double', '  context:', '    cluster: podns-double', '    user: podns', '    namespace: default',
        'current-context: podns-double', '',
      ].join('\n'));
      return file;
    },
    apply(input: object): void {
      const o = structuredClone(input) as Json;
      const rt = typeOfKind(o['kind']);
      if (o['apiVersion'] !== rt.apiVersion) throw new Error(`apiserver double: ${rt.kind} is served as ${rt.apiVersion}, not ${String(o['apiVersion'])}`);
      const m = (o['metadata'] ?? {}) as Json;
      const name = m['name'];
      if (typeof name !== 'string' || name === '') throw new Error('apiserver double: metadata.name is required');
      const namespace = rt.namespaced ? (typeof m['namespace'] === 'string' && m['namespace'] !== '' ? m['namespace'] : 'default') : undefined;
      const key = keyOf(rt, namespace ?? '', name);
      const prev = store.get(rt)?.get(key);
      const metadata: Meta = {
        name, ...(namespace === undefined ? {} : { namespace }),
        uid: prev?.metadata.uid ?? (typeof m['uid'] === 'string' ? m['uid'] : randomUUID()),
        resourceVersion: '',
        creationTimestamp: prev?.metadata.creationTimestamp ?? (typeof m['creationTimestamp'] === 'string' ? m['creationTimestamp'] : timestamp()),
      };
      for (const [k, v] of Object.entries(m)) if (!['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp'].includes(k)) metadata[k] = v;
      const body = Object.fromEntries(Object.entries(o).filter(([k]) => !['kind', 'apiVersion', 'metadata'].includes(k)));
      if (rt.kind === 'Namespace') { // the namespace strategy's label and defaults
        metadata['labels'] = { ...(metadata['labels'] as Json | undefined), 'kubernetes.io/metadata.name': name };
        body['spec'] = { finalizers: ['kubernetes'], ...(body['spec'] as Json | undefined) };
        body['status'] = { phase: 'Active', ...(body['status'] as Json | undefined) };
      }
      const next: Stored = { kind: rt.kind, apiVersion: rt.apiVersion, metadata, ...body };
      if (prev !== undefined && canon(withRV(prev, 0)) === canon(withRV(next, 0))) return; // a no-op update
      metadata.resourceVersion = String(++rv);
      store.get(rt)?.set(key, next);
      commit({ rv, type: prev === undefined ? 'ADDED' : 'MODIFIED', rt, key, obj: next, prev });
    },
    remove(kind: string, namespace: string, name: string): void {
      const rt = typeOfKind(kind);
      const key = keyOf(rt, namespace, name);
      const prev = store.get(rt)?.get(key);
      if (prev === undefined) throw new Error(`apiserver double: no ${kind} ${key} to remove`);
      store.get(rt)?.delete(key);
      rv++;
      commit({ rv, type: 'DELETED', rt, key, obj: withRV(prev, rv), prev });
    },
    get(kind: string, namespace: string, name: string): Json | undefined {
      const rt = typeOfKind(kind);
      const o = store.get(rt)?.get(keyOf(rt, namespace, name));
      return o === undefined ? undefined : structuredClone(o);
    },
    compact(): void { history = []; compactedAt = rv; },
    forbid(resource: string): void { forbidden.add(resource.split('.')[0] as string); },
    failList(resource: string, page: number, meanwhile?: () => void): void { listFaults.set(resource, { page, meanwhile: meanwhile ?? (() => {}) }); },
    allow(resource: string): void { forbidden.delete(resource.split('.')[0] as string); },
    async stop(): Promise<void> {
      const s = server;
      if (s === null) return;
      server = null;
      for (const w of [...watchers]) w.end(false);
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      for (const c of sockets) c.destroy();
      await closed;
    },
    async start(): Promise<void> { if (server === null) await listen(); },
    watchers: () => watchers.size,
    endWatches(): void { for (const w of [...watchers]) w.end(true); },
    async close(): Promise<void> {
      await double.stop();
      for (const w of [...waiters]) w.done(false);
      if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
    },
  };
  for (const o of options.objects ?? []) double.apply(o);
  await listen();
  return double;
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** The index of the first key ≥ `start` in sorted `keys`. */
function lowerBound(keys: readonly string[], start: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < start) lo = mid + 1; else hi = mid;
  }
  return lo;
}
