/**
 * `podns lint`: reads manifest files and folders and Corefiles, and prints what src/lint finds in
 * the manifests plus what `podns validate` says about each Corefile (corefile-invalid,
 * corefile-warning). Manifests only for now; a live cluster is not read yet.
 *
 * Exit status: 1 when a finding is an error, 0 otherwise (warnings only, or nothing); 2 for usage
 * errors and paths that cannot be read.
 */
import { LINT_USAGE } from './lint-usage.ts';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../core/errors.ts';
import { DEFAULT_CLUSTER_DOMAIN, compareFindings, formatJSON, formatText, lintManifests, parseCIDR } from '../lint/index.ts';
import type { Finding, ManifestText } from '../lint/index.ts';


const FLAGS = {
  manifests: { type: 'string', multiple: true },
  corefile: { type: 'string', multiple: true },
  'cluster-domain': { type: 'string' },
  'cluster-cidr': { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** A path that cannot be read: one line, exit status 2. */
class InputError extends Error {}

/** The manifest files of a path: the file itself, or a folder's .yaml/.yml/.json files (recursively, sorted, dot-entries skipped). */
function manifestFiles(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new InputError(`--manifests ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (st.isFile()) return [path];
  if (!st.isDirectory()) throw new InputError(`--manifests ${path}: neither a file nor a folder`);
  const out: string[] = [];
  const walk = (dir: string, seen: Set<string>): void => {
    for (const name of readdirSync(dir).sort()) {
      if (name.startsWith('.')) continue;
      const p = join(dir, name);
      let s;
      try { s = statSync(p); } catch { continue; } // a dangling symlink
      if (s.isDirectory()) {
        const id = `${s.dev}:${s.ino}`;
        if (!seen.has(id)) { seen.add(id); walk(p, seen); }
      } else if (s.isFile() && EXTENSIONS.has(extname(name).toLowerCase())) {
        out.push(p);
      }
    }
  };
  walk(path, new Set([`${st.dev}:${st.ino}`]));
  return out;
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
    process.stdout.write(`usage: podns lint --manifests PATH... [--corefile FILE]... [options]\n\n${LINT_USAGE}`);
    return 0;
  }
  const paths = values.manifests ?? [];
  const corefiles = values.corefile ?? [];
  if (paths.length === 0 && corefiles.length === 0) throw new UsageError('lint: give --manifests PATH (manifests only for now: a live cluster is not read yet) or --corefile FILE');
  const clusterCIDRs = values['cluster-cidr'] ?? [];
  for (const c of clusterCIDRs) if (parseCIDR(c) === null) throw new UsageError(`lint: --cluster-cidr: not a CIDR: ${c}`);
  const clusterDomain = values['cluster-domain'] ?? DEFAULT_CLUSTER_DOMAIN;

  let findings: Finding[];
  try {
    const texts: ManifestText[] = [];
    findings = [];
    for (const file of [...new Set(paths.flatMap(manifestFiles))]) {
      const read = readManifest(file);
      if ('text' in read) texts.push(read); else findings.push(read);
    }
    findings.push(...lintManifests(texts, { clusterDomain, clusterCIDRs }));
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
