/**
 * ClusterStore: the in-memory ClusterState, written by every source and by tests alike.
 * Writes come as single events (apply/remove, from an API watch) or as a whole new object set
 * (replace, from a manifest reload or a relist), which is diffed so that only objects that really
 * changed bump the revision and, when DNS-relevant, the SOA serial (`modified`).
 * Indexes are maintained on write so every read is a map hit.
 */
import type { ClusterObject, EndpointSlice, Pod, Service } from './model.ts';
import type { ClusterState } from './state.ts';

const EMPTY: readonly never[] = Object.freeze([]);

function keyOf(o: ClusterObject): string {
  return o.kind === 'Namespace' ? `Namespace/${o.name}` : `${o.kind}/${o.namespace}/${o.name}`;
}

/** What of an object matters to DNS answers (namespace events never count, per CoreDNS). */
function relevantFingerprint(o: ClusterObject): string {
  switch (o.kind) {
    case 'Namespace': return '';
    case 'Pod': return o.ips.join(',');
    default: return JSON.stringify(o);
  }
}

function sameObject(a: ClusterObject, b: ClusterObject): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function addTo<T>(index: Map<string, T[]>, key: string, value: T): void {
  const list = index.get(key);
  if (list === undefined) index.set(key, [value]);
  else if (!list.includes(value)) list.push(value);
}

function removeFrom<T>(index: Map<string, T[]>, key: string, value: T): void {
  const list = index.get(key);
  if (list === undefined) return;
  const i = list.indexOf(value);
  if (i >= 0) list.splice(i, 1);
  if (list.length === 0) index.delete(key);
}

export interface ClusterStoreOptions {
  /** Milliseconds since the epoch; injected so tests control the SOA serial. */
  readonly now?: () => number;
}

export class ClusterStore implements ClusterState {
  #synced = false;
  #revision = 0;
  #modified = 0;
  readonly #now: () => number;
  readonly #objects = new Map<string, ClusterObject>();
  readonly #namespaces = new Set<string>();
  readonly #services = new Map<string, Service>();
  readonly #slicesByService = new Map<string, EndpointSlice[]>();
  readonly #servicesByIP = new Map<string, Service[]>();
  readonly #slicesByIP = new Map<string, EndpointSlice[]>();
  readonly #podsByIP = new Map<string, Pod[]>();

  constructor(options: ClusterStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** A synced store holding `objects`: the test fixture and the manifests source's first state. */
  static from(objects: Iterable<ClusterObject>, options: ClusterStoreOptions = {}): ClusterStore {
    const store = new ClusterStore(options);
    store.replace(objects);
    store.markSynced();
    return store;
  }

  get synced(): boolean { return this.#synced; }
  get revision(): number { return this.#revision; }
  get modified(): number { return this.#modified; }
  /** How many objects are held (all kinds). */
  get size(): number { return this.#objects.size; }

  markSynced(): void {
    if (!this.#synced) { this.#synced = true; this.#revision++; }
  }

  hasNamespace(name: string): boolean { return this.#namespaces.has(name); }
  service(namespace: string, name: string): Service | undefined { return this.#services.get(`${namespace}/${name}`); }
  slicesOf(namespace: string, service: string): readonly EndpointSlice[] {
    return this.#slicesByService.get(`${namespace}/${service}`) ?? EMPTY;
  }
  servicesByIP(ip: string): readonly Service[] { return this.#servicesByIP.get(ip) ?? EMPTY; }
  slicesByIP(ip: string): readonly EndpointSlice[] { return this.#slicesByIP.get(ip) ?? EMPTY; }
  podsByIP(ip: string): readonly Pod[] { return this.#podsByIP.get(ip) ?? EMPTY; }
  services(): Iterable<Service> { return this.#services.values(); }
  /** Every object held, in insertion order. */
  objects(): Iterable<ClusterObject> { return this.#objects.values(); }

  /** Adds or replaces one object (watch ADDED / MODIFIED). Returns whether anything changed. */
  apply(object: ClusterObject): boolean {
    const key = keyOf(object);
    const old = this.#objects.get(key);
    if (old !== undefined && sameObject(old, object)) return false;
    if (old !== undefined) this.#unindex(old);
    this.#objects.set(key, object);
    this.#index(object);
    this.#changed(old === undefined || relevantFingerprint(old) !== relevantFingerprint(object), object);
    return true;
  }

  /** Removes one object (watch DELETED); only its kind, namespace and name are read. */
  remove(object: ClusterObject): boolean {
    const key = keyOf(object);
    const old = this.#objects.get(key);
    if (old === undefined) return false;
    this.#objects.delete(key);
    this.#unindex(old);
    this.#changed(true, old);
    return true;
  }

  /**
   * Makes the store hold exactly `objects` among the objects of one kind (an API relist of that
   * resource), changing only what differs; other kinds are untouched.
   */
  replaceKind(kind: ClusterObject['kind'], objects: Iterable<ClusterObject>): boolean {
    const next = new Map<string, ClusterObject>();
    for (const o of objects) if (o.kind === kind) next.set(keyOf(o), o);
    let changed = false;
    for (const old of [...this.#objects.values()]) {
      if (old.kind === kind && !next.has(keyOf(old))) changed = this.remove(old) || changed;
    }
    for (const o of next.values()) changed = this.apply(o) || changed;
    return changed;
  }

  /** Makes the store hold exactly `objects` (a relist or a manifest reload), changing only what differs. */
  replace(objects: Iterable<ClusterObject>): boolean {
    const next = new Map<string, ClusterObject>();
    for (const o of objects) next.set(keyOf(o), o);
    let changed = false;
    for (const old of [...this.#objects.values()]) {
      if (!next.has(keyOf(old))) changed = this.remove(old) || changed;
    }
    for (const o of next.values()) changed = this.apply(o) || changed;
    return changed;
  }

  #changed(relevant: boolean, object: ClusterObject): void {
    this.#revision++;
    if (relevant && object.kind !== 'Namespace') this.#modified = Math.floor(this.#now() / 1000) >>> 0;
  }

  #index(o: ClusterObject): void {
    switch (o.kind) {
      case 'Namespace': this.#namespaces.add(o.name); break;
      case 'Service':
        this.#services.set(`${o.namespace}/${o.name}`, o);
        for (const ip of o.clusterIPs) addTo(this.#servicesByIP, ip, o);
        break;
      case 'EndpointSlice':
        addTo(this.#slicesByService, `${o.namespace}/${o.service}`, o);
        for (const ep of o.endpoints) for (const ip of ep.addresses) addTo(this.#slicesByIP, ip, o);
        break;
      case 'Pod':
        for (const ip of o.ips) addTo(this.#podsByIP, ip, o);
        break;
    }
  }

  #unindex(o: ClusterObject): void {
    switch (o.kind) {
      case 'Namespace': this.#namespaces.delete(o.name); break;
      case 'Service':
        this.#services.delete(`${o.namespace}/${o.name}`);
        for (const ip of o.clusterIPs) removeFrom(this.#servicesByIP, ip, o);
        break;
      case 'EndpointSlice':
        removeFrom(this.#slicesByService, `${o.namespace}/${o.service}`, o);
        for (const ep of o.endpoints) for (const ip of ep.addresses) removeFrom(this.#slicesByIP, ip, o);
        break;
      case 'Pod':
        for (const ip of o.ips) removeFrom(this.#podsByIP, ip, o);
        break;
    }
  }
}
