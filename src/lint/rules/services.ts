/**
 * Rules about Services, as the kubernetes plugin (CoreDNS's and podns's) answers for them:
 *
 * - externalname-ip: an ExternalName Service is a CNAME, so an IP address as externalName is a
 *   CNAME to a name made of digits, which does not resolve.
 * - externalname-self: an externalName that is the Service's own cluster name, directly or
 *   through other ExternalName Services of the manifests: a CNAME loop.
 * - headless-no-ready-endpoints: a headless Service's name has one record per ready endpoint and
 *   is NXDOMAIN without one. Ready endpoints come from the manifests' EndpointSlices (and legacy
 *   Endpoints, mirrored) when it has any; else, for a Service with a selector, from the Pods it
 *   selects (only when all of them have a status that is not Ready, none is a pod template, and
 *   publishNotReadyAddresses is off); a Service with neither a selector nor endpoints has none.
 * - selector-matches-no-pod: no Pod (not finished) and no pod template of the Service's namespace
 *   carries every label of its selector, so the Service gets no endpoints. A Service whose
 *   EndpointSlices in the manifests have ready endpoints is left alone: its pods exist, elsewhere.
 */
import { canonicalIP } from '../../dns/ip.ts';
import type { ServiceInfo } from '../cluster.ts';
import type { Finding } from '../types.ts';
import type { Rule, RuleContext } from './common.ts';
import { finding } from './common.ts';

function matches(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function formatSelector(selector: Readonly<Record<string, string>>): string {
  return Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
}

function fqdn(s: ServiceInfo, clusterDomain: string): string {
  return `${s.service.name}.${s.service.namespace}.svc${clusterDomain === '' ? '' : `.${clusterDomain}`}`;
}

/** The Service a cluster name `<svc>.<ns>.svc.<domain>` names, as `ns/name`, or null. */
function serviceKeyOf(name: string, clusterDomain: string): string | null {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (clusterDomain === '' || !n.endsWith(`.svc.${clusterDomain}`)) return null;
  const parts = n.slice(0, -(`.svc.${clusterDomain}`.length)).split('.');
  return parts.length === 2 ? `${parts[1]}/${parts[0]}` : null;
}

export const externalNameChecks: Rule = (ctx: RuleContext): Finding[] => {
  const out: Finding[] = [];
  const byKey = new Map(ctx.cluster.services.map((s) => [`${s.service.namespace}/${s.service.name}`, s]));
  for (const s of ctx.cluster.services) {
    if (s.service.type !== 'ExternalName') continue;
    const target = s.service.externalName.replace(/\.$/, '');
    if (canonicalIP(target) !== null) {
      out.push(finding('externalname-ip', 'error', s.source, s.ref, ['spec', 'externalName'],
        `externalName ${s.service.externalName} is an IP address, but an ExternalName Service is a CNAME: ${fqdn(s, ctx.clusterDomain)} `
        + `answers with a CNAME to the name "${target}.", which does not resolve; for an IP address use a Service without a selector `
        + 'and an EndpointSlice holding the address'));
      continue;
    }
    const start = `${s.service.namespace}/${s.service.name}`;
    const chain = [start];
    let cur: ServiceInfo = s;
    for (;;) {
      const key = serviceKeyOf(cur.service.externalName, ctx.clusterDomain);
      if (key === null) break;
      if (key === start) {
        out.push(finding('externalname-self', 'error', s.source, s.ref, ['spec', 'externalName'], chain.length === 1
          ? `externalName ${s.service.externalName} is this Service's own name: a CNAME to itself, so every lookup of it fails`
          : `externalName ${s.service.externalName} leads back to this Service (${[...chain, start].join(' → ')}): a CNAME loop, so every lookup of these names fails`));
        break;
      }
      const next = byKey.get(key);
      if (next === undefined || next.service.type !== 'ExternalName' || chain.includes(key)) break;
      chain.push(key);
      cur = next;
    }
  }
  return out;
};

type Pods = RuleContext['cluster']['pods'];

/** The pods (not finished) and pod-template labels of each namespace, built once per cluster. */
const byNamespace = new WeakMap<RuleContext['cluster'], Map<string, { pods: Pods[number][]; templates: Readonly<Record<string, string>>[] }>>();

/** Pods (not finished) and pod templates of `s`'s namespace that its selector selects. */
function selected(ctx: RuleContext, s: ServiceInfo): { pods: Pods; templates: number } {
  let index = byNamespace.get(ctx.cluster);
  if (index === undefined) {
    index = new Map();
    const entry = (ns: string) => {
      let e = index!.get(ns);
      if (e === undefined) index!.set(ns, e = { pods: [], templates: [] });
      return e;
    };
    for (const p of ctx.cluster.pods) if (!p.gone) entry(p.namespace).pods.push(p);
    for (const w of ctx.cluster.workloads) if (w.ref.kind !== 'Pod') entry(w.ref.namespace).templates.push(w.labels);
    byNamespace.set(ctx.cluster, index);
  }
  const e = index.get(s.service.namespace);
  if (e === undefined) return { pods: [], templates: 0 };
  return { pods: e.pods.filter((p) => matches(s.selector, p.labels)), templates: e.templates.filter((l) => matches(s.selector, l)).length };
}

export const headlessNoReadyEndpoints: Rule = (ctx: RuleContext): Finding[] => {
  const out: Finding[] = [];
  for (const s of ctx.cluster.services) {
    if (!s.service.headless || s.service.type === 'ExternalName') continue;
    const name = fqdn(s, ctx.clusterDomain);
    const slices = ctx.cluster.slices.get(`${s.service.namespace}/${s.service.name}`) ?? [];
    let why: string | null = null;
    if (slices.length > 0) {
      if (slices.every((sl) => sl.ips.length === 0)) {
        why = `its EndpointSlice${slices.length === 1 ? '' : 's'} (${slices.map((sl) => sl.name).join(', ')}) list${slices.length === 1 ? 's' : ''} no ready endpoint`;
      }
    } else if (Object.keys(s.selector).length > 0) {
      const { pods, templates } = selected(ctx, s);
      if (templates === 0 && pods.length > 0 && !s.publishNotReadyAddresses && pods.every((p) => p.ready === false)) {
        why = `the pods its selector picks (${pods.map((p) => p.name).join(', ')}) are not ready`;
      }
    } else {
      why = 'it has no selector and the manifests hold no EndpointSlice or Endpoints for it, so nothing gives it endpoints';
    }
    if (why === null) continue;
    out.push(finding('headless-no-ready-endpoints', 'warning', s.source, s.ref, ['spec', 'clusterIP'],
      `headless Service with no ready endpoint: ${why}, so ${name} is NXDOMAIN (and clients may cache that); `
      + 'make a pod ready, or set publishNotReadyAddresses: true if peers must find each other before they are ready'));
  }
  return out;
};

export const selectorMatchesNoPod: Rule = (ctx: RuleContext): Finding[] => {
  const out: Finding[] = [];
  for (const s of ctx.cluster.services) {
    if (s.service.type === 'ExternalName' || Object.keys(s.selector).length === 0) continue;
    const { pods, templates } = selected(ctx, s);
    if (pods.length > 0 || templates > 0) continue;
    // Endpoints in the manifests' EndpointSlices: its pods exist, outside the manifests.
    if ((ctx.cluster.slices.get(`${s.service.namespace}/${s.service.name}`) ?? []).some((sl) => sl.ips.length > 0)) continue;
    const effect = s.service.headless
      ? `${fqdn(s, ctx.clusterDomain)} is NXDOMAIN`
      : `${fqdn(s, ctx.clusterDomain)} resolves to a ClusterIP that refuses every connection`;
    out.push(finding('selector-matches-no-pod', 'warning', s.source, s.ref, ['spec', 'selector'],
      `selector ${formatSelector(s.selector)} matches no Pod and no pod template in namespace ${s.service.namespace}: `
      + `the Service gets no endpoints, so ${effect}; fix the selector or the pods' labels`));
  }
  return out;
};
