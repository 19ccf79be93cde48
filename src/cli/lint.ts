/**
 * `podns lint`: reads manifest files and folders, or a live cluster's objects from its API server,
 * and Corefiles, and prints what src/lint finds in the cluster plus what `podns validate` says
 * about each Corefile (corefile-invalid, corefile-warning).
 *
 * Exit status: 1 when a finding is an error, 0 otherwise (warnings only, or nothing); 2 for usage
 * errors and paths that cannot be read.
 */
import { LINT_USAGE } from './lint-usage.ts';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.ts';
import { DEFAULT_CLUSTER_DOMAIN, apiObject, compareFindings, formatJSON, formatText, lintManifests, lintObjects, parseCIDR } from '../lint/index.ts';
import type { Finding, ManifestText, SourceObject } from '../lint/index.ts';
import type { ResourceType } from './cluster-input.ts';
import { InputError, apiErrorText, connect, listAll, manifestFiles } from './cluster-input.ts';


const FLAGS = {
  manifests: { type: 'string', multiple: true },
  corefile: { type: 'string', multiple: true },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'cluster-domain': { type: 'string' },
  'cluster-cidr': { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * What lint reads from a live cluster. Without the first four it cannot judge anything (exit 2);
 * the others only feed some rules (a workload's env, a ConfigMap it reads, Node IPs), so a 403 on
 * them is a warning.
 */
const LIVE_TYPES: ReadonlyArray<ResourceType & { required: boolean }> = [
  { resource: 'namespaces', kind: 'Namespace', apiVersion: 'v1', required: true },
  { resource: 'services', kind: 'Service', apiVersion: 'v1', required: true },
  { resource: 'pods', kind: 'Pod', apiVersion: 'v1', required: true },
  { resource: 'endpointslices', kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1', required: true },
  { resource: 'nodes', kind: 'Node', apiVersion: 'v1', required: false },
  { resource: 'configmaps', kind: 'ConfigMap', apiVersion: 'v1', required: false },
  { resource: 'deployments', kind: 'Deployment', apiVersion: 'apps/v1', required: false },
  { resource: 'statefulsets', kind: 'StatefulSet', apiVersion: 'apps/v1', required: false },
  { resource: 'daemonsets', kind: 'DaemonSet', apiVersion: 'apps/v1', required: false },
  { resource: 'replicasets', kind: 'ReplicaSet', apiVersion: 'apps/v1', required: false },
  { resource: 'replicationcontrollers', kind: 'ReplicationController', apiVersion: 'v1', required: false },
  { resource: 'jobs', kind: 'Job', apiVersion: 'batch/v1', required: false },
  { resource: 'cronjobs', kind: 'CronJob', apiVersion: 'batch/v1', required: false },
];

/** Reads the live cluster's objects (the types above, every namespace). */
async function liveObjects(values: { kubeconfig?: string | undefined; context?: string | undefined }): Promise<SourceObject[]> {
  const client = await connect(values, 'lint');
  try {
    const objects: SourceObject[] = [];
    for (const type of LIVE_TYPES) {
      let items;
      try {
        items = await listAll(client, type);
      } catch (err) {
        if (type.required) throw new InputError(`listing ${type.resource}: ${apiErrorText(client, err)}`);
        process.stderr.write(`podns: lint: warning: cannot list ${type.resource} (${apiErrorText(client, err)}); the rules that read them see none\n`);
        continue;
      }
      for (const raw of items) objects.push(apiObject(raw, type));
    }
    return objects;
  } finally {
    client.close();
  }
}

function readManifest(file: string): ManifestText | Finding {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new InputError(`--manifests ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    return { file, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { rule: 'manifest-invalid', severity: 'error', file, line: 1, object: null, field: null, message: 'not UTF-8 text' };
  }
}

/** `FILE:LINE - rest` → its parts (the Corefile parser's and setup's messages). */
function located(message: string, file: string): { file: string; line: number; text: string } {
  const m = /^(.*?):(\d+) - ([\s\S]*)$/.exec(message);
  return m === null ? { file, line: 1, text: message } : { file: m[1]!, line: Number(m[2]), text: m[3]! };
}

function corefileFinding(rule: 'corefile-invalid' | 'corefile-warning', at: { file: string; line: number }, message: string): Finding {
  return { rule, severity: rule === 'corefile-invalid' ? 'error' : 'warning', file: at.file, line: at.line, object: null, field: null, message };
}

/** What `podns validate FILE` reports, as findings. */
async function checkCorefile(file: string): Promise<Finding[]> {
  const { loadCorefile } = await import('./config.ts');
  const { validateBlocks } = await import('./validate.ts');
  const out: Finding[] = [];
  const onWarning = (m: string): void => {
    const at = located(m, file);
    out.push(corefileFinding('corefile-warning', at, `podns validate warns: ${at.text}`));
  };
  let loaded;
  try {
    loaded = loadCorefile(file, { onWarning });
  } catch (err) {
    if (err instanceof UsageError) throw new InputError(`--corefile ${file}: ${err.message}`);
    throw err;
  }
  const rejected = (err: unknown): void => {
    if (!(err instanceof Error)) throw err;
    const at = located(err.message, file);
    out.push(corefileFinding('corefile-invalid', at, `podns validate rejects this Corefile: ${at.text}`));
  };
  if ('error' in loaded) {
    rejected(loaded.error);
    return out;
  }
  try {
    for (const w of validateBlocks(loaded.blocks)) out.push(corefileFinding('corefile-warning', w, `podns validate warns: ${w.message}`));
  } catch (err) {
    rejected(err);
  }
  return out;
}

function parseFlags(argv: string[]) {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: true });
    return { ...values, manifests: [...(values.manifests ?? []), ...positionals] };
  } catch (err) {
    if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS')) throw new UsageError(`lint: ${err.message}`);
    throw err;
  }
}

/** `podns lint ...`. */
export async function lint(argv: string[]): Promise<number> {
  const values = parseFlags(argv);
  if (values.help === true) {
    process.stdout.write(`usage: podns lint [--manifests PATH... | --kubeconfig FILE] [--corefile FILE]... [options]\n\n${LINT_USAGE}`);
    return 0;
  }
  const paths = values.manifests ?? [];
  const corefiles = values.corefile ?? [];
  const live = paths.length === 0 && (corefiles.length === 0 || values.kubeconfig !== undefined);
  if (paths.length > 0 && values.kubeconfig !== undefined) throw new UsageError('lint: give --manifests PATH or --kubeconfig FILE, not both');
  const clusterCIDRs = values['cluster-cidr'] ?? [];
  for (const c of clusterCIDRs) if (parseCIDR(c) === null) throw new UsageError(`lint: --cluster-cidr: not a CIDR: ${c}`);
  const clusterDomain = values['cluster-domain'] ?? DEFAULT_CLUSTER_DOMAIN;

  let findings: Finding[];
  try {
    findings = [];
    if (live) {
      findings.push(...lintObjects(await liveObjects(values), { clusterDomain, clusterCIDRs }));
    } else {
      const texts: ManifestText[] = [];
      for (const file of [...new Set(paths.flatMap(manifestFiles))]) {
        const read = readManifest(file);
        if ('text' in read) texts.push(read); else findings.push(read);
      }
      findings.push(...lintManifests(texts, { clusterDomain, clusterCIDRs }));
    }
    for (const file of corefiles) findings.push(...await checkCorefile(file));
  } catch (err) {
    if (err instanceof InputError) {
      process.stderr.write(`podns: lint: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  findings.sort(compareFindings);
  process.stdout.write(values.json === true ? formatJSON(findings) : formatText(findings));
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}
