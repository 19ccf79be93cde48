/**
 * Where `podns lint` and `podns explain --pod` read a cluster from: manifest files and folders,
 * or a live API server (`--kubeconfig FILE [--context NAME]`, else $KUBECONFIG or the in-cluster
 * service account, found as the kubernetes plugin finds them: cluster/api/credentials.ts).
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { ApiClient, ApiError } from '../cluster/api/client.ts';
import { apiConfig, resolveAccess } from '../cluster/api/credentials.ts';
import { apiRoot } from '../cluster/api/paths.ts';
import { UsageError } from '../core/errors.ts';

/** An input that cannot be read (a path, a file, the API): one line on stderr. */
export class InputError extends Error {}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** The manifest files of a path: the file itself, or a folder's .yaml/.yml/.json files (recursively, sorted, dot-entries skipped). */
export function manifestFiles(path: string): string[] {
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

/** A resource as the API lists it. */
export interface ResourceType {
  readonly resource: string;
  readonly kind: string;
  readonly apiVersion: string;
}

/** Connects to the live cluster: --kubeconfig FILE [--context], else $KUBECONFIG, else the in-cluster service account. */
export async function connect(options: { kubeconfig?: string | undefined; context?: string | undefined }, what: string): Promise<ApiClient> {
  const kubeconfig = options.kubeconfig === undefined ? null : [options.kubeconfig, ...(options.context === undefined ? [] : [options.context])];
  if (kubeconfig === null && options.context !== undefined) throw new UsageError(`${what}: --context needs --kubeconfig FILE`);
  const config = apiConfig({ kubeconfig, endpoint: null }, process.env);
  if (config === null) throw new UsageError(`${what}: no cluster to read: give --manifests PATH or --kubeconfig FILE, or set KUBECONFIG (in a pod, its service account is used)`);
  try {
    return new ApiClient(await resolveAccess(config));
  } catch (err) {
    throw new InputError(`the API server's configuration: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The API's message for an error, naming the server. */
export function apiErrorText(client: ApiClient, err: unknown): string {
  if (err instanceof ApiError) return `${client.access.server}: ${err.code === 0 ? '' : `${err.code} `}${err.message}`;
  return `${client.access.server}: ${err instanceof Error ? err.message : String(err)}`;
}

/** GETs one object; null when it does not exist (404). */
export async function getObject(client: ApiClient, type: ResourceType, namespace: string, name: string): Promise<Record<string, unknown> | null> {
  const path = `${apiRoot(type.apiVersion)}${namespace === '' ? '' : `/namespaces/${encodeURIComponent(namespace)}`}/${type.resource}/${encodeURIComponent(name)}`;
  try {
    return await client.get(path, {}, 30_000);
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return null;
    throw new InputError(apiErrorText(client, err));
  }
}

/** Lists every object of a type in every namespace, 500 per page (as kubectl does). */
export async function listAll(client: ApiClient, type: ResourceType): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  let cont = '';
  do {
    const page = await client.get(`${apiRoot(type.apiVersion)}/${type.resource}`, { limit: '500', ...(cont === '' ? {} : { continue: cont }) }, 60_000);
    const items = page['items'];
    if (Array.isArray(items)) for (const i of items) if (typeof i === 'object' && i !== null) out.push(i as Record<string, unknown>);
    const meta = page['metadata'] as { continue?: unknown } | undefined;
    cont = typeof meta?.continue === 'string' ? meta.continue : '';
  } while (cont !== '');
  return out;
}
