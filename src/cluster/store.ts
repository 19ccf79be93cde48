/**
 * ClusterStore: the in-memory ClusterState, written by every source and by tests alike.
 * Writes come as single events (apply/remove, from an API watch) or as a whole new object set
 * (replace, from a manifest reload or a relist), which is diffed so that only objects that really
 * changed bump the revision and, when DNS-relevant, the SOA serial (`modified`).
 * Indexes are maintained on write so every read is a map hit.
 *
 * Memory is the budget at scale (bench/README.md, Scale and memory): objects are filed by
 * namespace and name (ByName), with no key string of their own; pods are not kept as objects — DNS
 * needs only which namespace (and whether host network) each pod IP belongs to — but as their IPs,
 * with one shared PodAtIP per namespace; an IP index holds its one owner directly and an array
 * only when several share the address.
 */
import type { ClusterObject, EndpointSlice, Namespace, Pod, Service } from './model.ts';
import type { ClusterState, PodAtIP } from './state.ts';

const EMPTY: readonly never[] = Object.freeze([]);

/**
 * Values by namespace, then name: lookups without a key string per object (the names are the
 * objects' own strings). A `namespace/name` key per object cost ~130 bytes each (a chain of
 * concatenated strings): ~3.5 MB at 10k services and 10k slices.
 */
class ByName<T> {
  readonly #namespaces = new Map<string, Map<string, T>>();
  #size = 0;

  get size(): number { return this.#size; }

  get(namespace: string, name: string): T | undefined {
    return this.#namespaces.get(namespace)?.get(name);
  }

  set(namespace: string, name: string, value: T): void {
    let names = this.#namespaces.get(namespace);
    if (names === undefined) this.#namespaces.set(namespace, names = new Map());
    const before = names.size;
    names.set(name, value);
    this.#size += names.size - before;
  }

  delete(namespace: string, name: string): boolean {
    const names = this.#namespaces.get(namespace);
    if (names === undefined || !names.delete(name)) return false;
    this.#size--;
    if (names.size === 0) this.#namespaces.delete(namespace);
    return true;
  }

  *values(): Iterable<T> {
    for (const names of this.#namespaces.values()) yield* names.values();
  }

  /** [namespace, name, value] of every entry. */
  *entries(): Iterable<[string, string, T]> {
    for (const [namespace, names] of this.#namespaces) for (const [name, value] of names) yield [namespace, name, value];
  }
}

type Kind = ClusterObject['kind'];
const KINDS: readonly Kind[] = ['Namespace', 'Service', 'EndpointSlice', 'Pod'];

/** The namespace an object is filed under (Namespaces: ''). */
const nsOf = (o: ClusterObject): string => (o.kind === 'Namespace' ? '' : o.namespace);

/** Objects by kind, namespace and name: the set a replace() makes the store hold. */
function byKind(objects: Iterable<ClusterObject>, only: Kind | null): Map<Kind, ByName<ClusterObject>> {
  const out = new Map<Kind, ByName<ClusterObject>>(KINDS.map((k) => [k, new ByName()]));
  for (const o of objects) if (only === null || o.kind === only) out.get(o.kind)!.set(nsOf(o), o.name, o);
  return out;
}

/** Structural equality of plain data (the model's objects: strings, numbers, booleans, null, arrays, objects). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (!same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/** An IP index: one owner held directly, several in an array (most addresses have one). */
type IpIndex<T extends object> = Map<string, T | T[]>;

function indexAdd<T extends object>(index: IpIndex<T>, ip: string, value: T): void {
  const cur = index.get(ip);
  if (cur === undefined) index.set(ip, value);
  else if (Array.isArray(cur)) cur.push(value);
  else index.set(ip, [cur, value]);
}

/** Removes one occurrence of `value` (owners may repeat: pods of one namespace share their PodAtIP). */
function indexRemove<T extends object>(index: IpIndex<T>, ip: string, value: T): void {
  const cur = index.get(ip);
  if (cur === undefined) return;
  if (!Array.isArray(cur)) { if (cur === value) index.delete(ip); return; }
  const i = cur.indexOf(value);
  if (i >= 0) cur.splice(i, 1);
  if (cur.length === 1) index.set(ip, cur[0]!);
  else if (cur.length === 0) index.delete(ip);
}

function indexGet<T extends object>(index: IpIndex<T>, ip: string): readonly T[] {
  const cur = index.get(ip);
  return cur === undefined ? EMPTY : Array.isArray(cur) ? cur : [cur];
}

/** The distinct entries of a list (a slice may list one address under two endpoints). */
function distinct(list: readonly string[]): Iterable<string> {
  return list.length < 2 ? list : new Set(list);
}

/** The versions of one namespace's answers (ClusterState.scope). */
class NamespaceScope {
  revision = 0;
  readonly negative: { readonly revision: number };
  constructor(epoch: () => number) {
    // Both counters only grow, so their sum changes whenever either does.
    const self = this;
    this.negative = { get revision() { return self.revision + epoch(); } };
  }
}

/** A pod as kept: its one IP (the common case), or its IPs and whether it is on the host network. */
type PodSlot = string | { readonly ips: readonly string[]; readonly hostNetwork: boolean };

export interface ClusterStoreOptions {
  /** Milliseconds since the epoch; injected so tests control the SOA serial. */
  readonly now?: () => number;
  /**
   * Whether EndpointSlices keep their endpoints' pod names (default true). Only the kubernetes
   * plugin's `endpoint_pod_names` reads them; without it they are dropped as slices arrive (100k
   * endpoints: 100k strings, ~5 MB).
   */
  readonly podNames?: boolean;
}

export class ClusterStore implements ClusterState {
  #synced = false;
  #revision = 0;
  #modified = 0;
  /** Bumps when what every negative answer shows changes: the SOA serial, the synced flag. */
  #epoch = 0;
  readonly #scopes = new Map<string, NamespaceScope>();
  readonly #now: () => number;
  /** Namespaces (under namespace ''), Services and EndpointSlices by namespace and name. */
  readonly #namespaces = new ByName<Namespace>();
  readonly #services = new ByName<Service>();
  readonly #slices = new ByName<EndpointSlice>();
  /** Pods by namespace and name. */
  readonly #pods = new ByName<PodSlot>();
  /** One PodAtIP per namespace and host-network flag, shared by all its pods. */
  readonly #podRefs = new Map<string, PodAtIP>();
  /** A service's slices, by the service's namespace and name. */
  readonly #slicesByService = new ByName<EndpointSlice[]>();
  readonly #servicesByIP: IpIndex<Service> = new Map();
  readonly #slicesByIP: IpIndex<EndpointSlice> = new Map();
  readonly #podsByIP: IpIndex<PodAtIP> = new Map();

  readonly #podNames: boolean;

  constructor(options: ClusterStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#podNames = options.podNames ?? true;
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
  get size(): number { return this.#namespaces.size + this.#services.size + this.#slices.size + this.#pods.size; }

  markSynced(): void {
    if (!this.#synced) { this.#synced = true; this.#revision++; this.#epoch++; }
  }

  scope(namespace: string, negative: boolean): { readonly revision: number } {
    const s = this.#scope(namespace);
    return negative ? s.negative : s;
  }

  #scope(namespace: string): NamespaceScope {
    let s = this.#scopes.get(namespace);
    if (s === undefined) this.#scopes.set(namespace, s = new NamespaceScope(() => this.#epoch));
    return s;
  }

  /** A change in one namespace: its scope's revision (the whole state's is #changed's). */
  #touch(namespace: string): void {
    // Scopes are made when an answer asks for one; a namespace nobody asked about needs none yet.
    const s = this.#scopes.get(namespace);
    if (s !== undefined) s.revision++;
  }

  hasNamespace(name: string): boolean { return this.#namespaces.get('', name) !== undefined; }
  service(namespace: string, name: string): Service | undefined { return this.#services.get(namespace, name); }
  slicesOf(namespace: string, service: string): readonly EndpointSlice[] {
    return this.#slicesByService.get(namespace, service) ?? EMPTY;
  }
  servicesByIP(ip: string): readonly Service[] { return indexGet(this.#servicesByIP, ip); }
  slicesByIP(ip: string): readonly EndpointSlice[] { return indexGet(this.#slicesByIP, ip); }
  podsByIP(ip: string): readonly PodAtIP[] { return indexGet(this.#podsByIP, ip); }
  services(): Iterable<Service> { return this.#services.values(); }
  /** Every object held: Namespaces, Services, EndpointSlices, then the Pods (rebuilt from what is kept). */
  *objects(): Iterable<ClusterObject> {
    yield* this.#namespaces.values();
    yield* this.#services.values();
    yield* this.#slices.values();
    for (const [namespace, name, slot] of this.#pods.entries()) {
      const { ips, hostNetwork } = typeof slot === 'string' ? { ips: [slot], hostNetwork: false } : slot;
      yield { kind: 'Pod', namespace, name, ips, hostNetwork } satisfies Pod;
    }
  }

  /** The held Services, EndpointSlices or Namespaces. */
  #table(kind: Exclude<Kind, 'Pod'>): ByName<Service | EndpointSlice | Namespace> {
    return kind === 'Service' ? this.#services : kind === 'EndpointSlice' ? this.#slices : this.#namespaces;
  }

  /** Adds or replaces one object (watch ADDED / MODIFIED). Returns whether anything changed. */
  apply(object: ClusterObject): boolean {
    if (object.kind === 'Pod') return this.#applyPod(object);
    if (object.kind === 'EndpointSlice' && !this.#podNames && object.podNames !== null) object = { ...object, podNames: null };
    const table = this.#table(object.kind);
    const old = table.get(nsOf(object), object.name);
    if (old !== undefined && same(old, object)) return false;
    if (old !== undefined) this.#unindex(old);
    table.set(nsOf(object), object.name, object);
    this.#index(object);
    this.#touch(object.kind === 'Namespace' ? object.name : object.namespace);
    this.#changed(object.kind !== 'Namespace');
    return true;
  }

  /** Removes one object (watch DELETED); only its kind, namespace and name are read. */
  remove(object: ClusterObject): boolean {
    if (object.kind === 'Pod') return this.#removePod(object.namespace, object.name);
    const table = this.#table(object.kind);
    const old = table.get(nsOf(object), object.name);
    if (old === undefined) return false;
    table.delete(nsOf(object), object.name);
    this.#unindex(old);
    this.#touch(old.kind === 'Namespace' ? old.name : old.namespace);
    this.#changed(old.kind !== 'Namespace');
    return true;
  }

  /**
   * Makes the store hold exactly `objects` among the objects of one kind (an API relist of that
   * resource), changing only what differs; other kinds are untouched.
   */
  replaceKind(kind: Kind, objects: Iterable<ClusterObject>): boolean {
    return this.#replace(byKind(objects, kind), [kind]);
  }

  /** Makes the store hold exactly `objects` (a relist or a manifest reload), changing only what differs. */
  replace(objects: Iterable<ClusterObject>): boolean {
    return this.#replace(byKind(objects, null), KINDS);
  }

  /** Removes the objects of `kinds` that `next` does not hold, then applies what it holds. */
  #replace(next: ReadonlyMap<Kind, ByName<ClusterObject>>, kinds: readonly Kind[]): boolean {
    let changed = false;
    for (const kind of kinds) {
      const keep = next.get(kind)!;
      if (kind === 'Pod') {
        for (const [namespace, name] of [...this.#pods.entries()]) if (keep.get(namespace, name) === undefined) changed = this.#removePod(namespace, name) || changed;
      } else {
        for (const o of [...this.#table(kind).values()]) if (keep.get(nsOf(o), o.name) === undefined) changed = this.remove(o) || changed;
      }
    }
    for (const kind of KINDS) for (const o of next.get(kind)!.values()) changed = this.apply(o) || changed;
    return changed;
  }

  #podRef(namespace: string, hostNetwork: boolean): PodAtIP {
    const k = hostNetwork ? `+${namespace}` : namespace;
    let ref = this.#podRefs.get(k);
    if (ref === undefined) this.#podRefs.set(k, ref = Object.freeze({ namespace, hostNetwork }));
    return ref;
  }

  #applyPod(p: Pod): boolean {
    const old = this.#pods.get(p.namespace, p.name);
    const oldIPs = old === undefined ? EMPTY : typeof old === 'string' ? [old] : old.ips;
    const oldHost = old !== undefined && typeof old !== 'string' && old.hostNetwork;
    if (old !== undefined && oldHost === p.hostNetwork && same(oldIPs, p.ips)) return false;
    if (old !== undefined) for (const ip of oldIPs) indexRemove(this.#podsByIP, ip, this.#podRef(p.namespace, oldHost));
    this.#pods.set(p.namespace, p.name, p.ips.length === 1 && !p.hostNetwork ? p.ips[0]! : { ips: p.ips, hostNetwork: p.hostNetwork });
    const ref = this.#podRef(p.namespace, p.hostNetwork);
    for (const ip of p.ips) indexAdd(this.#podsByIP, ip, ref);
    this.#touch(p.namespace);
    // A pod's IPs are what DNS reads of it; the host-network flag alone is not an answer change.
    this.#changed(old === undefined || !same(oldIPs, p.ips));
    return true;
  }

  #removePod(namespace: string, name: string): boolean {
    const old = this.#pods.get(namespace, name);
    if (old === undefined) return false;
    this.#pods.delete(namespace, name);
    const ref = this.#podRef(namespace, typeof old !== 'string' && old.hostNetwork);
    for (const ip of typeof old === 'string' ? [old] : old.ips) indexRemove(this.#podsByIP, ip, ref);
    this.#touch(ref.namespace);
    this.#changed(true);
    return true;
  }

  #changed(relevant: boolean): void {
    this.#revision++;
    if (!relevant) return;
    const modified = Math.floor(this.#now() / 1000) >>> 0;
    if (modified !== this.#modified) { this.#modified = modified; this.#epoch++; }
  }

  /** Indexes an object just filed in its table. */
  #index(o: Service | EndpointSlice | Namespace): void {
    switch (o.kind) {
      case 'Namespace': break;
      case 'Service':
        for (const ip of o.clusterIPs) indexAdd(this.#servicesByIP, ip, o);
        break;
      case 'EndpointSlice': {
        const list = this.#slicesByService.get(o.namespace, o.service);
        if (list === undefined) this.#slicesByService.set(o.namespace, o.service, [o]); else list.push(o);
        for (const ip of distinct(o.ips)) indexAdd(this.#slicesByIP, ip, o);
        break;
      }
    }
  }

  /** Takes an object's index entries out (its table entry is the caller's). */
  #unindex(o: Service | EndpointSlice | Namespace): void {
    switch (o.kind) {
      case 'Namespace': break;
      case 'Service':
        for (const ip of o.clusterIPs) indexRemove(this.#servicesByIP, ip, o);
        break;
      case 'EndpointSlice': {
        const list = this.#slicesByService.get(o.namespace, o.service);
        if (list !== undefined) {
          const i = list.indexOf(o);
          if (i >= 0) list.splice(i, 1);
          if (list.length === 0) this.#slicesByService.delete(o.namespace, o.service);
        }
        for (const ip of distinct(o.ips)) indexRemove(this.#slicesByIP, ip, o);
        break;
      }
    }
  }
}
