/** What every rule gets, and the one way rules build a finding. */
import type { CIDR } from '../cidr.ts';
import type { LintCluster } from '../cluster.ts';
import type { Path, SourceObject } from '../source.ts';
import type { Finding, ObjectRef, RuleId, Severity } from '../types.ts';
import { formatPath } from '../types.ts';

export interface RuleContext {
  readonly cluster: LintCluster;
  /** Lower case, no trailing dot; '' when the cluster has none. */
  readonly clusterDomain: string;
  /** The cluster's address ranges as given (--cluster-cidr); empty: inferred (see hostaliases.ts). */
  readonly clusterCIDRs: readonly CIDR[];
}

export type Rule = (ctx: RuleContext) => Finding[];

/** A finding about `ref` (defined in `source`), at `path`'s line (refined by `offset` in a block literal). */
export function finding(
  rule: RuleId, severity: Severity, source: SourceObject, ref: ObjectRef, path: Path | null, message: string, offset?: number,
): Finding {
  return {
    rule, severity, file: source.file,
    line: path === null ? source.line : source.lineOf(path, offset),
    object: ref,
    field: path === null ? null : formatPath(path),
    message,
  };
}
