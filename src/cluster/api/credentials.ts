/**
 * Where the API server is and how to authenticate to it. Which configuration, in order: the
 * kubernetes plugin's `kubeconfig FILE [CONTEXT]` (with `endpoint` overriding its server),
 * `endpoint URL` alone (no credentials, as CoreDNS: e.g. `kubectl proxy`), the in-cluster service
 * account (KUBERNETES_SERVICE_HOST set), then the first file of $KUBECONFIG.
 *
 * Kubeconfig files are read by the official client, @kubernetes/client-node (contexts, exec
 * plugins, OIDC, client certificates, token files), imported only when a kubeconfig is used:
 * loading it costs about 55 MB of RSS for good (its generated API models load with its
 * configuration code; measured, see README). The in-cluster case — how podns runs in
 * production — needs none of that: the service account's token and CA files and the
 * KUBERNETES_SERVICE_HOST/PORT variables, read here as client-node's loadFromCluster reads
 * them. The token is read again at every refresh (after a 401), so a rotated token is picked up.
 */
import { readFileSync } from 'node:fs';

export interface ApiConfig {
  readonly kubeconfig: string | null;
  readonly context: string | null;
  readonly endpoint: string | null;
  /** `tls CERT KEY CACERT` files, used with `endpoint` alone. */
  readonly tls?: readonly string[] | null;
  readonly inCluster: boolean;
  /** The first file of $KUBECONFIG, if set. */
  readonly envKubeconfig: string | null;
  /** The in-cluster host and port (from KUBERNETES_SERVICE_HOST/PORT). */
  readonly serviceHost?: string;
  readonly servicePort?: string;
}

export interface ApiAccess {
  /**
   * The server URL without a trailing slash (`https://10.96.0.1:443`), and never with a user or
   * password (those go into the Authorization header), so that it can be logged.
   */
  readonly server: string;
  /** What was used, for logs (never a secret). */
  readonly source: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly tls: {
    readonly ca: string | null;
    readonly cert: string | null;
    readonly key: string | null;
    readonly rejectUnauthorized: boolean;
    readonly servername: string | null;
  };
}

/** The service account's files, as the kubelet mounts them. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The ApiConfig for the plugin's options and the process environment; null when there is no API to use. */
export function apiConfig(options: { kubeconfig: readonly string[] | null; endpoint: string | null; tls?: readonly string[] | null }, env: Readonly<Record<string, string | undefined>>): ApiConfig | null {
  const kubeconfig = options.kubeconfig?.[0] ?? null;
  const serviceHost = env['KUBERNETES_SERVICE_HOST'] ?? '';
  const servicePort = env['KUBERNETES_SERVICE_PORT'] ?? '';
  const inCluster = serviceHost !== '' && servicePort !== '';
  const envKubeconfig = (env['KUBECONFIG'] ?? '').split(':').find((p) => p !== '') ?? null;
  if (kubeconfig === null && options.endpoint === null && !inCluster && envKubeconfig === null) return null;
  return {
    kubeconfig, context: options.kubeconfig?.[1] ?? null, endpoint: options.endpoint, tls: options.tls ?? null,
    inCluster, envKubeconfig, serviceHost, servicePort,
  };
}

const NO_TLS = { ca: null, cert: null, key: null, rejectUnauthorized: true, servername: null } as const;

/** Resolves the access; rejects with a clear error (a missing file, an unknown context). */
export async function resolveAccess(config: ApiConfig, saDir = SERVICE_ACCOUNT_DIR): Promise<ApiAccess> {
  const file = config.kubeconfig ?? (config.endpoint === null && !config.inCluster ? config.envKubeconfig : null);
  if (file !== null) return fromKubeconfig(file, config.context, config.endpoint, config.kubeconfig === null ? 'KUBECONFIG' : 'kubeconfig');
  if (config.endpoint !== null) {
    const files = config.tls ?? null;
    const tls = files === null ? NO_TLS : {
      ...NO_TLS, cert: readFileSync(files[0]!, 'utf8'), key: readFileSync(files[1]!, 'utf8'), ca: readFileSync(files[2]!, 'utf8'),
    };
    const { server, headers } = withoutUserinfo(config.endpoint, {});
    return { server, source: `endpoint ${server}`, headers, tls };
  }
  // In cluster (client-node loadFromCluster): https://HOST:PORT, the token and the CA from the files.
  const host = config.serviceHost ?? '';
  const token = readFileSync(`${saDir}/token`, 'utf8').trim();
  const ca = readFileSync(`${saDir}/ca.crt`, 'utf8');
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${config.servicePort ?? '443'}`,
    source: 'in-cluster service account',
    headers: { Authorization: `Bearer ${token}` },
    tls: { ...NO_TLS, ca },
  };
}

/**
 * The URL without a trailing slash and without `user:password@`, which becomes a Basic
 * Authorization header (as Node's http would send it) unless the headers already authenticate.
 */
function withoutUserinfo(url: string, headers: Record<string, string>): { server: string; headers: Record<string, string> } {
  let u: URL;
  try { u = new URL(url); } catch { return { server: url.replace(/\/+$/, ''), headers }; }
  if (u.username === '' && u.password === '') return { server: url.replace(/\/+$/, ''), headers };
  const user = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  u.username = '';
  u.password = '';
  const out = { ...headers };
  if (!Object.keys(out).some((k) => k.toLowerCase() === 'authorization')) out['Authorization'] = `Basic ${Buffer.from(user).toString('base64')}`;
  return { server: u.href.replace(/\/+$/, ''), headers: out };
}

/**
 * A kubeconfig error without the file's content: js-yaml quotes the lines around a syntax error
 * (a token or a client key among them), and V8's JSON.parse the start of the text it could not
 * read (an exec plugin's output: a token). These messages end up in logs and on stderr.
 */
function kubeconfigError(file: string, err: unknown): Error {
  const e = err as { name?: unknown; reason?: unknown; mark?: { line?: unknown; column?: unknown } };
  if (e.name === 'YAMLException') {
    const at = typeof e.mark?.line === 'number' && typeof e.mark.column === 'number' ? ` (line ${e.mark.line + 1}, column ${e.mark.column + 1})` : '';
    return new Error(`${file}: not valid YAML: ${typeof e.reason === 'string' ? e.reason : 'syntax error'}${at}`);
  }
  if (err instanceof SyntaxError) return new Error(`${file}: the credentials plugin's output is not JSON`);
  return err instanceof Error ? err : new Error(String(err));
}

async function fromKubeconfig(file: string, context: string | null, endpoint: string | null, what: string): Promise<ApiAccess> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (err) {
    throw kubeconfigError(file, err);
  }
  if (context !== null) kc.setCurrentContext(context);
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new Error(`${file}: no cluster for context ${JSON.stringify(kc.getCurrentContext())}`);
  const opts: {
    headers?: Record<string, string>; ca?: Buffer; cert?: Buffer; key?: Buffer;
    rejectUnauthorized?: boolean; servername?: string; auth?: string;
  } = {};
  try {
    await kc.applyToHTTPSOptions(opts);
  } catch (err) {
    throw kubeconfigError(file, err);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k] = v;
  if (opts.auth !== undefined) headers['Authorization'] = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
  const text = (b: Buffer | undefined): string | null => (b === undefined ? null : b.toString('utf8'));
  return {
    ...withoutUserinfo(endpoint ?? cluster.server, headers),
    source: `${what} ${file}, context ${kc.getCurrentContext()}`,
    tls: {
      ca: text(opts.ca), cert: text(opts.cert), key: text(opts.key),
      rejectUnauthorized: opts.rejectUnauthorized ?? true,
      servername: opts.servername ?? null,
    },
  };
}
