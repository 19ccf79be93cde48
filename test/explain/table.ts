/**
 * Helpers for the resolver model's table tests (src/explain/*.test.ts): a compact scripted server
 * and compact renderings of what the model sent and returned.
 */
import { simulate } from '../../src/explain/index.ts';
import type { Family, Outcome, PlanInput, Query, ResolverKind, Simulation } from '../../src/explain/index.ts';

/**
 * What the server does, by key — most specific first: "name TYPE tcp @server", "name TYPE @server",
 * "name TYPE tcp", "name TYPE", "name @server", "name" (names absolute). Values: an Outcome, a list
 * of addresses (answer), or a shorthand: 'nx', 'nodata', 'servfail', 'refused', 'timeout', 'tc',
 * 'unreachable'. Anything not listed is NXDOMAIN.
 */
export type Script = Record<string, Outcome | readonly string[] | 'nx' | 'nodata' | 'servfail' | 'refused' | 'timeout' | 'tc' | 'unreachable'>;

const V4 = /^\d+\.\d+\.\d+\.\d+$/;

export function server(script: Script): (q: Query) => Outcome {
  return (q) => {
    const keys = [
      `${q.name} ${q.type} ${q.transport} @${q.server}`, `${q.name} ${q.type} @${q.server}`, `${q.name} ${q.type} ${q.transport}`,
      `${q.name} ${q.type}`, `${q.name} @${q.server}`, q.name,
    ];
    const k = keys.find((x) => script[x] !== undefined);
    if (q.malformed) return { kind: 'timeout' };
    if (k === undefined) return { kind: 'nxdomain' };
    const v = script[k]!;
    if (Array.isArray(v)) {
      const of = (v as readonly string[]).filter((a) => (q.type === 'A' ? V4.test(a) : !V4.test(a)));
      return of.length === 0 ? { kind: 'nodata' } : { kind: 'answer', addresses: of };
    }
    switch (v) {
      case 'nx': return { kind: 'nxdomain' };
      case 'nodata': return { kind: 'nodata' };
      case 'servfail': return { kind: 'servfail' };
      case 'refused': return { kind: 'refused' };
      case 'timeout': return { kind: 'timeout' };
      case 'tc': return { kind: 'truncated' };
      case 'unreachable': return { kind: 'unreachable' };
      default: return v as Outcome;
    }
  };
}

/** One query as "name TYPE", with " tcp" and " @server" when they are not UDP to the first server. */
export function q(x: Query, firstServer: string): string {
  return `${x.name} ${x.type}${x.transport === 'tcp' ? ' tcp' : ''}${x.server === firstServer ? '' : ` @${x.server}`}`;
}

export interface Ran {
  /** Queries in order, compact. */
  readonly queries: string[];
  /** Queries grouped by `group`, each group sorted (order within a group is not fixed). */
  readonly groups: string[][];
  /** "EAI_X" or the addresses joined by spaces. */
  readonly result: string;
  readonly sim: Simulation;
}

export interface RunOptions {
  readonly family?: Family;
  readonly hosts?: string;
  readonly hostname?: string;
  readonly sources?: readonly string[];
  readonly rotateOffset?: number;
  readonly hostConfMulti?: boolean;
}

export function run(resolver: ResolverKind, resolvConf: string, name: string, script: Script = {}, opts: RunOptions = {}): Ran {
  const input: PlanInput = { resolver, resolvConf, name, ...opts };
  const sim = simulate(input, server(script));
  const first = sim.resolver.config.nameservers[0]!;
  const groups: string[][] = [];
  let last = -1;
  for (const x of sim.queries) {
    if (x.group !== last) { groups.push([]); last = x.group; }
    groups.at(-1)!.push(q(x, first));
  }
  return {
    queries: sim.queries.map((x) => q(x, first)),
    groups: groups.map((g) => g.sort()),
    result: sim.result.error ?? sim.result.addresses.join(' '),
    sim,
  };
}

/** The same query pair for each name: ["n A", "n AAAA"]. */
export function pairs(...names: string[]): string[] {
  return names.flatMap((n) => [`${n} A`, `${n} AAAA`]);
}

export const CLUSTER_FIRST = 'search ns.svc.cluster.local svc.cluster.local cluster.local example.internal\nnameserver 10.96.0.10\noptions ndots:5\n';

/** ClusterFirst's candidates for a name, in glibc/Go order (search domains, then as typed). */
export function clusterCandidates(name: string): string[] {
  return ['ns.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'example.internal'].map((d) => `${name}.${d}.`).concat(`${name}.`);
}
