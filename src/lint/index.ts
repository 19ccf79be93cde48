/**
 * podns lint: the DNS problems of a cluster, found in its manifests before they cost pods latency
 * or outages. Pure: manifest texts in, findings out (src/cli/lint.ts reads the files and adds
 * the Corefile checks, which need the server's plugins). See README.md for every rule.
 */
import { buildCluster } from './cluster.ts';
import { parseCIDR } from './cidr.ts';
import type { CIDR } from './cidr.ts';
import type { Rule, RuleContext } from './rules/common.ts';
import { podDNSChecks } from './rules/dnsconfig.ts';
import { hostAliasShadowsClusterName, hostAliasStaleIP } from './rules/hostaliases.ts';
import { defaultPolicyClusterName, ndotsAmplification } from './rules/names.ts';
import { externalNameChecks, headlessNoReadyEndpoints, selectorMatchesNoPod } from './rules/services.ts';
import { parseSource } from './source.ts';
import type { SourceObject } from './source.ts';
import type { Finding, LintOptions } from './types.ts';
import { compareFindings } from './types.ts';

export { RULES, RULE_IDS, describeRef, compareFindings } from './types.ts';
export type { Finding, LintOptions, ObjectRef, RuleId, Severity } from './types.ts';
export { apiObject, parseSource } from './source.ts';
export type { SourceObject } from './source.ts';
export { parseCIDR } from './cidr.ts';
export { formatText, formatJSON } from './format.ts';

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

const RULE_FUNCTIONS: readonly Rule[] = [
  ndotsAmplification, defaultPolicyClusterName, hostAliasStaleIP, hostAliasShadowsClusterName, podDNSChecks,
  externalNameChecks, headlessNoReadyEndpoints, selectorMatchesNoPod,
];

export interface ManifestText {
  /** The file's name as it should appear in findings. */
  readonly file: string;
  readonly text: string;
}

/** Lints the manifests as one cluster. Throws TypeError for a malformed clusterCIDRs entry. */
export function lintManifests(files: readonly ManifestText[], options: LintOptions = {}): Finding[] {
  const findings: Finding[] = [];
  const objects: SourceObject[] = [];
  for (const f of files) {
    const parsed = parseSource(f.file, f.text);
    findings.push(...parsed.findings);
    objects.push(...parsed.objects);
  }
  return lintObjects(objects, options, findings);
}

/**
 * Lints objects as one cluster: those of manifests (parseSource) or of a live API server
 * (apiObject). `findings` are problems found while reading, merged into the result.
 */
export function lintObjects(objects: readonly SourceObject[], options: LintOptions = {}, findings: Finding[] = []): Finding[] {
  const clusterDomain = (options.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN).toLowerCase().replace(/\.$/, '');
  const clusterCIDRs: CIDR[] = (options.clusterCIDRs ?? []).map((t) => {
    const c = parseCIDR(t);
    if (c === null) throw new TypeError(`not a CIDR: ${t}`);
    return c;
  });
  const cluster = buildCluster(objects, { clusterDomain });
  findings.push(...cluster.findings);
  const ctx: RuleContext = { cluster, clusterDomain, clusterCIDRs };
  for (const rule of RULE_FUNCTIONS) findings.push(...rule(ctx));
  return findings.sort(compareFindings);
}
