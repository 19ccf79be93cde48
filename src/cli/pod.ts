/**
 * `podns pod files`: reads a Pod, a KubeletConfiguration and the node's files, and prints the
 * pod's /etc/hosts and /etc/resolv.conf as the kubelet and the runtime would write them
 * (src/podconf does the work; this file parses flags, reads files and prints).
 *
 * Exit status: 0 with the files; 1 when the API server would refuse the pod (its message), when
 * the kubelet would fail to start it, or when an input file cannot be read or decoded; 2 for
 * usage errors.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { UsageError } from '../core/errors.ts';
import {
  DecodeError, KubeletError, formatInvalid, parseIPSloppy, podFiles, readKubeletConfig, readPod, validatePod,
} from '../podconf/index.ts';
import type { KubeletConfig, Pod, PodFiles } from '../podconf/index.ts';
import { InputError } from './cluster-input.ts';
import { POD_USAGE } from './pod-usage.ts';


const FLAGS = {
  pod: { type: 'string' },
  'kubelet-config': { type: 'string' },
  'host-resolv-conf': { type: 'string' },
  'host-hosts': { type: 'string' },
  'pod-ip': { type: 'string', multiple: true },
  'node-ip': { type: 'string', multiple: true },
  json: { type: 'boolean' },
} as const;

/** The kubelet reads at most this much of its resolvConf (utilio.ReadAtMost). */
const MAX_RESOLV_CONF = 10 * (1 << 20);

/** A file's text as the kubelet reads it: UTF-8, a byte-order mark kept; InputError otherwise. */
export function readText(flag: string, file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new InputError(`${flag} ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    // ignoreBOM keeps a byte-order mark: the kubelet does not skip one.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new InputError(`${flag} ${file}: not UTF-8 text (podns reads UTF-8 files only)`);
  }
}

/** The one object of a YAML or JSON file (a multi-document file: its one document of `kind`). */
export function readObject(flag: string, file: string, kind: string): unknown {
  const text = readText(flag, file);
  // sigs.k8s.io/yaml reads YAML 1.1 (yes/no are booleans), as kubectl and the kubelet do.
  const docs = parseAllDocuments(text, { version: '1.1', merge: true });
  if (!Array.isArray(docs)) throw new InputError(`${flag} ${file}: not a YAML stream`);
  const values: unknown[] = [];
  for (const [i, doc] of docs.entries()) {
    if (doc.errors.length > 0) throw new InputError(`${flag} ${file}: document ${i + 1}: ${doc.errors[0]!.message}`);
    const v: unknown = doc.toJS({ maxAliasCount: 100 });
    if (v !== null && v !== undefined) values.push(v);
  }
  if (values.length === 1) return values[0];
  const ofKind = values.filter((v) => typeof v === 'object' && v !== null && (v as Record<string, unknown>)['kind'] === kind);
  if (ofKind.length === 1) return ofKind[0];
  throw new InputError(`${flag} ${file}: ${values.length === 0 ? 'empty' : `${ofKind.length === 0 ? 'no' : 'more than one'} ${kind} among its ${values.length} documents`}`);
}

function checkIPs(flag: string, ips: readonly string[]): void {
  for (const ip of ips) if (parseIPSloppy(ip) === null) throw new UsageError(`${flag}: not an IP address: ${ip}`);
}

function withNewline(text: string): string {
  return text.endsWith('\n') || text === '' ? text : `${text}\n\\ No newline at end of file\n`;
}

export function renderText(files: PodFiles, pod: Pod): string {
  let out = '==> /etc/hosts <==\n';
  if (files.hosts === null) out += '(not written yet: the kubelet writes /etc/hosts once the pod has an IP; give --pod-ip)\n';
  else out += withNewline(files.hosts);
  out += '\n==> /etc/resolv.conf <==\n';
  out += withNewline(files.resolvConf);
  if (files.copiedNodeResolvConf) out += '(every DNS list is empty, so the runtime copies the node\'s /etc/resolv.conf; shown: --host-resolv-conf)\n';
  if (files.optionsUnordered) out += '(the kubelet writes these options in random order; podns shows them in first-seen order)\n';
  out += `\nhostname: ${pod.hostNetwork ? '(the node\'s: host network)' : files.hostname}\n`;
  if (files.events.length === 0) out += 'kubelet events: none\n';
  else {
    out += 'kubelet events:\n';
    for (const e of files.events) out += `  ${e.type}  ${e.reason}  (on the ${e.object})  ${e.message}\n`;
  }
  return out;
}

export function renderJSON(files: PodFiles): string {
  return JSON.stringify({
    hosts: files.hosts,
    resolvConf: files.resolvConf,
    dns: { nameservers: files.dns.servers, searches: files.dns.searches, options: files.dns.options },
    hostname: files.hostname,
    events: files.events.map((e) => ({ type: e.type, reason: e.reason, message: e.message })),
  }, null, 2) + '\n';
}

const parseFlagsOnce = (argv: string[]) => parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }).values;

/** The flags; node:util's ERR_PARSE_ARGS_* errors (unknown flag, missing value, stray argument) become usage errors. */
function parseFlags(argv: string[]): ReturnType<typeof parseFlagsOnce> {
  try {
    return parseFlagsOnce(argv);
  } catch (err) {
    if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS')) throw new UsageError(`pod files: ${err.message}`);
    throw err;
  }
}

function podFilesCommand(argv: string[]): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`usage: podns pod files --pod FILE --kubelet-config FILE [options]\n\n${POD_USAGE}`);
    return 0;
  }
  const values = parseFlags(argv);
  if (values.pod === undefined) throw new UsageError('pod files: --pod FILE is required');
  if (values['kubelet-config'] === undefined) throw new UsageError('pod files: --kubelet-config FILE is required (the node\'s KubeletConfiguration)');
  const podIPFlag = values['pod-ip'] ?? [];
  const nodeIPs = values['node-ip'] ?? [];
  checkIPs('--pod-ip', podIPFlag);
  checkIPs('--node-ip', nodeIPs);

  let pod: Pod;
  let kubelet: KubeletConfig;
  try {
    pod = readPod(readObject('--pod', values.pod, 'Pod'));
  } catch (err) {
    if (err instanceof DecodeError) throw new InputError(`--pod ${values.pod}: ${err.message}`);
    throw err;
  }
  const errors = validatePod(pod);
  if (errors.length > 0) {
    process.stderr.write(formatInvalid('Pod', pod.name !== '' ? pod.name : pod.generateName, errors) + '\n');
    return 1;
  }
  if (pod.name === '') throw new InputError(`--pod ${values.pod}: the API server generates this pod's name (metadata.generateName); give metadata.name to see its files`);
  try {
    kubelet = readKubeletConfig(readObject('--kubelet-config', values['kubelet-config'], 'KubeletConfiguration'));
  } catch (err) {
    if (err instanceof DecodeError) throw new InputError(`--kubelet-config ${values['kubelet-config']}: ${err.message}`);
    throw err;
  }
  for (const w of kubelet.warnings) process.stderr.write(`podns: warning: --kubelet-config ${values['kubelet-config']}: ${w}\n`);

  let hostResolvConf: string | null = null;
  if (kubelet.resolvConf !== '') {
    const file = values['host-resolv-conf'];
    if (file === undefined) {
      throw new UsageError(`pod files: --host-resolv-conf FILE is required: the kubelet reads its resolvConf (${kubelet.resolvConf}) for every pod; give the node's file (an empty file if it has none)`);
    }
    hostResolvConf = readText('--host-resolv-conf', file);
    if (new TextEncoder().encode(hostResolvConf).length > MAX_RESOLV_CONF) {
      throw new InputError(`--host-resolv-conf ${file}: larger than the 10 MiB the kubelet reads (it fails the pod's sandbox)`);
    }
  } else if (values['host-resolv-conf'] !== undefined) {
    process.stderr.write('podns: warning: --host-resolv-conf is ignored: the kubelet\'s resolvConf is "" (no host file)\n');
  }

  // A hostNetwork pod's status IPs are the node's.
  const podIPs = podIPFlag.length > 0 ? podIPFlag : pod.podIPs.length > 0 ? pod.podIPs : pod.hostNetwork ? nodeIPs : [];
  let nodeHosts: string | null = null;
  if (pod.hostNetwork && podIPs.length > 0) {
    const file = values['host-hosts'];
    if (file === undefined) throw new UsageError('pod files: --host-hosts FILE is required for a hostNetwork pod: the kubelet copies the node\'s /etc/hosts');
    nodeHosts = readText('--host-hosts', file);
  }

  let files: PodFiles;
  try {
    files = podFiles({ pod, kubelet, hostResolvConf, nodeHosts, podIPs, nodeIPs });
  } catch (err) {
    if (err instanceof KubeletError) {
      process.stderr.write(`podns: the kubelet would not start this pod: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  process.stdout.write(values.json === true ? renderJSON(files) : renderText(files, pod));
  return 0;
}

/** `podns pod <subcommand> ...`. */
export function podCommand(argv: string[]): number {
  const [sub, ...rest] = argv;
  if (sub !== 'files') throw new UsageError(sub === undefined ? 'pod: give a subcommand (files)' : `pod: unknown subcommand ${JSON.stringify(sub)} (files)`);
  try {
    return podFilesCommand(rest);
  } catch (err) {
    if (err instanceof InputError) {
      process.stderr.write(`podns: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
