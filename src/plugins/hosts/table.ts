/**
 * HostsTable: what the hosts plugin answers from, built from the file's map and the Corefile's
 * inline map (file entries first, then inline ones, as CoreDNS's lookups concatenate them).
 * Answers are built once per table: A/AAAA records per name and PTR records per reverse name,
 * owned by the lower-cased name the lookup uses, so a query costs one Map lookup.
 *
 * The table is Versioned: `revision` bumps every time a new file map is swapped in, and the
 * answer cache drops every reply built from the previous contents at once.
 *
 * Wildcard owners (`*.example.com`) answer for names exactly one label below them that have no
 * entry of their own, as the file plugin's wildcards do; they never produce PTR records.
 */
import type { Versioned } from '../../core/writer.ts';
import { reverseName } from '../../dns/ip.ts';
import { parentName } from '../../dns/name.ts';
import type { ResourceRecord } from '../../dns/types.ts';
import { RRClass, RRType } from '../../dns/types.ts';
import type { HostsMap } from './hostsfile.ts';
import { EMPTY_MAP } from './hostsfile.ts';

interface NameEntry {
  readonly a: readonly ResourceRecord[];
  readonly aaaa: readonly ResourceRecord[];
}

const NONE: readonly ResourceRecord[] = [];

export class HostsTable implements Versioned {
  #revision = 0;
  readonly #ttl: number;
  readonly #inline: HostsMap;
  #file: HostsMap = EMPTY_MAP;
  #names = new Map<string, NameEntry>();
  #ptr = new Map<string, readonly ResourceRecord[]>();
  #wildcards = false;

  constructor(inline: HostsMap, ttl: number) {
    this.#inline = inline;
    this.#ttl = ttl;
    this.#build();
  }

  get revision(): number { return this.#revision; }

  /** CoreDNS's coredns_hosts_entries: the entries of the file plus the inline ones. */
  get size(): number { return this.#file.size + this.#inline.size; }

  /** Swaps in a newly read file map, in one step. */
  setFile(file: HostsMap): void {
    this.#file = file;
    this.#build();
    this.#revision++;
  }

  /** The A records for `name` (lower-case, absolute), owned by `name`. */
  a(name: string): readonly ResourceRecord[] {
    return this.#entry(name)?.a ?? NONE;
  }

  /** The AAAA records for `name` (lower-case, absolute), owned by `name`. */
  aaaa(name: string): readonly ResourceRecord[] {
    return this.#entry(name)?.aaaa ?? NONE;
  }

  /** Whether `name` has an A or AAAA entry, itself or through a wildcard. */
  exists(name: string): boolean {
    return this.#entry(name) !== undefined;
  }

  /** The PTR records for a reverse name (lower-case, absolute), or null when it has none. */
  ptr(name: string): readonly ResourceRecord[] | null {
    return this.#ptr.get(name) ?? null;
  }

  #entry(name: string): NameEntry | undefined {
    const e = this.#names.get(name);
    if (e !== undefined || !this.#wildcards) return e;
    const parent = parentName(name);
    if (parent === null || parent === '.') return undefined;
    const w = this.#names.get('*.' + parent);
    if (w === undefined) return undefined;
    const own = (rr: ResourceRecord): ResourceRecord => ({ ...rr, name });
    return { a: w.a.map(own), aaaa: w.aaaa.map(own) };
  }

  #build(): void {
    const ttl = this.#ttl;
    const names = new Map<string, NameEntry>();
    const addresses = (name: string, field: 'name4' | 'name6'): string[] =>
      unique([...(this.#file[field].get(name) ?? []), ...(this.#inline[field].get(name) ?? [])]);
    const all = new Set([...this.#file.name4.keys(), ...this.#file.name6.keys(), ...this.#inline.name4.keys(), ...this.#inline.name6.keys()]);
    let wildcards = false;
    for (const name of all) {
      if (name.startsWith('*.')) wildcards = true;
      names.set(name, {
        a: addresses(name, 'name4').map((ip) => ({ name, type: RRType.A, class: RRClass.IN, ttl, data: ip })),
        aaaa: addresses(name, 'name6').map((ip) => ({ name, type: RRType.AAAA, class: RRClass.IN, ttl, data: ip })),
      });
    }
    const ptr = new Map<string, readonly ResourceRecord[]>();
    const ips = new Set([...this.#file.addr.keys(), ...this.#inline.addr.keys()]);
    for (const ip of ips) {
      const owner = reverseName(ip);
      const targets = unique([...(this.#file.addr.get(ip) ?? []), ...(this.#inline.addr.get(ip) ?? [])]);
      ptr.set(owner, targets.map((t) => ({ name: owner, type: RRType.PTR, class: RRClass.IN, ttl, data: t })));
    }
    this.#names = names;
    this.#ptr = ptr;
    this.#wildcards = wildcards;
  }
}

function unique(list: string[]): string[] {
  return list.length < 2 ? list : [...new Set(list)];
}
