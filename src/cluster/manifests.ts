/**
 * ManifestSource: serves the cluster from Kubernetes manifest files instead of an API server.
 * Reads files and folders (recursively; `.yaml`, `.yml`, `.json`; dot-files and dot-dirs are
 * skipped; a path given explicitly is read whatever its name), parses YAML multi-document files
 * and JSON, converts them (convert.ts) and writes the whole object set into a ClusterStore.
 *
 * Watching: every `pollIntervalMs` (250 ms) the paths are listed and stat'ed; `fs.watch` events
 * only wake the poll up early. A file whose stat (mtime, size, inode) changed is re-read once its
 * stat has stayed the same for `settleMs` (100 ms), so a file being written is not read half-way
 * and then again; new and deleted files are noticed the same way. Edits show up well within 1 s.
 * A path given (a folder or a file) that disappears — removed, renamed away, an unmounted volume —
 * is reported once and its last objects keep serving until it is back, as the API source keeps
 * its last state while the API is away; files deleted from a folder that is still there take their
 * objects with them.
 * Only changed files are re-parsed (converted items are cached per file); the whole-set pass
 * (mirroring, implicit namespaces, filters) then reruns and store.replace() applies only the diff.
 *
 * Errors: a file with any broken document (YAML/JSON syntax, a malformed object) is reported
 * through onError, one ManifestError per broken document ("<path>: document <n>: <reason>", n
 * 1-based), and the file as a whole keeps serving its last good objects: an edit is applied
 * atomically per file or not at all. A file broken at startup contributes nothing until fixed.
 * Namespaces: the four built-in ones plus every namespace the manifests' objects live in are
 * added implicitly (see AssembleOptions.implicitNamespaces), unless namespaceLabels is set.
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { assemble, convertDocument, ConvertError } from './convert.ts';
import type { ApiItem } from './convert.ts';
import type { Selector } from './selector.ts';
import type { ClusterStore } from './store.ts';

/** A problem with one manifest file, or one document in it. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  readonly path: string;
  /** 1-based document number within the file; undefined for file-level problems. */
  readonly document: number | undefined;
  readonly reason: string;
  constructor(path: string, document: number | undefined, reason: string) {
    super(document === undefined ? `${path}: ${reason}` : `${path}: document ${document}: ${reason}`);
    this.path = path;
    this.document = document;
    this.reason = reason;
  }
}

export interface ReloadInfo {
  /** Files currently contributing (last good content). */
  readonly files: number;
  /** Objects written to the store. */
  readonly objects: number;
  /** Whether the store changed. */
  readonly changed: boolean;
  /** Files (re)read in this reload, and how many of them had errors. */
  readonly read: number;
  readonly failed: number;
}

export interface ManifestSourceOptions {
  readonly paths: readonly string[];
  readonly store: ClusterStore;
  readonly onError: (err: ManifestError) => void;
  readonly onReload?: ((info: ReloadInfo) => void) | undefined;
  /** Default 250 ms. */
  readonly pollIntervalMs?: number | undefined;
  /** How long a changed file's stat must stay unchanged before it is read. Default 100 ms. */
  readonly settleMs?: number | undefined;
  /** Use fs.watch events to wake the poll early (default true); polling alone also meets the 1 s bound. */
  readonly fsWatch?: boolean | undefined;
  readonly labels?: Selector | undefined;
  readonly namespaceLabels?: Selector | undefined;
  /**
   * Whether Pods are kept (default true). The kubernetes plugin needs them only for `pods
   * verified` (and autopath), as CoreDNS watches pods only then; without, they are not held at
   * all, which at 100k pods is most of the memory.
   */
  readonly pods?: boolean | undefined;
}

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * What a file's items keep between reloads: without selectors no item's labels are read again
 * (Endpoints mirroring reads its own), and Pods only when kept — a dropped Pod still shows that its
 * namespace is used.
 */
function slim(items: ApiItem[], pods: boolean, selectors: boolean): ApiItem[] {
  if (pods && selectors) return items;
  return items.map((item) => {
    if (item.type !== 'object') return item;
    if (!pods && item.object.kind === 'Pod') return { type: 'dropped', namespace: item.namespace };
    return selectors ? item : { ...item, labels: NO_LABELS };
  });
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

interface FileState {
  /** Stat fingerprint of the content last read (good or not). */
  stamp: string;
  /** Items of the last good read; undefined if the file never read cleanly. */
  items: readonly ApiItem[] | undefined;
}

interface Pending {
  /** Stamp seen, or null when the file is gone. */
  readonly stamp: string | null;
  readonly since: number;
}

function stampOf(st: { mtimeMs: number; size: number; ino: number; dev: number }): string {
  return `${st.mtimeMs}:${st.size}:${st.ino}:${st.dev}`;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/:\s*$/, '');
}

function errno(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

let yaml: typeof Yaml | undefined;
/**
 * The YAML parser, loaded on first use: a server fed by the API never parses YAML, and loading the
 * package costs ~12 MB of RSS (bench/scale.ts). Loaded with require() so parseManifest stays
 * synchronous (the package ships CommonJS for Node).
 */
function yamlParser(): typeof Yaml {
  return (yaml ??= createRequire(import.meta.url)('yaml') as typeof Yaml);
}

/** Parses one manifest file's text into items, or the errors of its broken documents. */
export function parseManifest(path: string, text: string): { items: ApiItem[]; errors: ManifestError[] } {
  const items: ApiItem[] = [];
  const errors: ManifestError[] = [];
  const convert = (doc: unknown, n: number): void => {
    try {
      items.push(...convertDocument(doc));
    } catch (err) {
      if (!(err instanceof ConvertError)) throw err;
      errors.push(new ManifestError(path, n, err.message));
    }
  };
  if (extname(path).toLowerCase() === '.json') {
    if (text.trim() === '') return { items, errors };
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      errors.push(new ManifestError(path, 1, `invalid JSON: ${err instanceof Error ? err.message : String(err)}`));
      return { items, errors };
    }
    convert(doc, 1);
    return { items, errors };
  }
  const docs = yamlParser().parseAllDocuments(text, { merge: true });
  docs.forEach((d, i) => {
    const n = i + 1;
    const syntax = d.errors[0];
    if (syntax !== undefined) {
      const more = d.errors.length > 1 ? ` (and ${d.errors.length - 1} more)` : '';
      errors.push(new ManifestError(path, n, `YAML syntax error: ${firstLine(syntax.message)}${more}`));
      return;
    }
    let js: unknown;
    try {
      js = d.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      errors.push(new ManifestError(path, n, `invalid YAML: ${err instanceof Error ? firstLine(err.message) : String(err)}`));
      return;
    }
    if (js === null || js === undefined) return; // an empty document (a trailing `---`)
    convert(js, n);
  });
  return { items, errors };
}

export class ManifestSource {
  readonly #roots: readonly string[];
  readonly #store: ClusterStore;
  readonly #onError: (err: ManifestError) => void;
  readonly #onReload: ((info: ReloadInfo) => void) | undefined;
  readonly #pollMs: number;
  readonly #settleMs: number;
  readonly #fsWatch: boolean;
  readonly #labels: Selector | undefined;
  readonly #namespaceLabels: Selector | undefined;
  readonly #pods: boolean;
  readonly #files = new Map<string, FileState>();
  readonly #pending = new Map<string, Pending>();
  readonly #missingRoots = new Set<string>();
  readonly #rootIsDir = new Map<string, boolean>();
  #watchers: FSWatcher[] = [];
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  #chain: Promise<void> = Promise.resolve();
  #state: 'new' | 'starting' | 'running' | 'stopped' = 'new';

  constructor(options: ManifestSourceOptions) {
    if (options.paths.length === 0) throw new Error('manifests: no paths given');
    this.#roots = [...new Set(options.paths.map((p) => normalize(p)))];
    this.#store = options.store;
    this.#onError = options.onError;
    this.#onReload = options.onReload;
    this.#pollMs = options.pollIntervalMs ?? 250;
    this.#settleMs = options.settleMs ?? 100;
    this.#fsWatch = options.fsWatch ?? true;
    this.#labels = options.labels;
    this.#namespaceLabels = options.namespaceLabels;
    this.#pods = options.pods ?? true;
  }

  /** Loads every path, fills and syncs the store, then starts watching. Throws if a path is missing. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new Error('manifests: start() called twice');
    this.#state = 'starting';
    for (const root of this.#roots) {
      try {
        const st = await stat(root);
        if (!st.isFile() && !st.isDirectory()) throw new Error(`manifests path is neither a file nor a directory: ${root}`);
        this.#rootIsDir.set(root, st.isDirectory());
      } catch (err) {
        this.#state = 'stopped';
        if (errno(err) === 'ENOENT') throw new Error(`manifests path not found: ${root}`, { cause: err });
        throw err;
      }
    }
    await this.#enqueue(true);
    if (this.#state !== 'starting') return; // stopped meanwhile
    this.#store.markSynced();
    this.#state = 'running';
    if (this.#fsWatch) this.#startWatchers();
    this.#schedule(this.#pollMs);
  }

  /** Stops watching; an in-flight reload finishes without touching the store. */
  stop(): void {
    this.#state = 'stopped';
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const w of this.#watchers) w.close();
    this.#watchers = [];
  }

  /** Re-scans now and reads every changed file at once, skipping the settle delay (tests, SIGHUP). */
  reloadNow(): Promise<void> {
    return this.#enqueue(true);
  }

  #enqueue(force: boolean): Promise<void> {
    const run = this.#chain.then(() => this.#scan(force));
    this.#chain = run.catch(() => undefined);
    return run;
  }

  #schedule(delayMs: number): void {
    if (this.#state !== 'running') return;
    const at = Date.now() + delayMs;
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#enqueue(false)
        .catch((err: unknown) => this.#report(new ManifestError('manifests', undefined, `reload failed: ${err instanceof Error ? err.message : String(err)}`)))
        .finally(() => this.#schedule(this.#pollMs));
    }, Math.max(0, delayMs));
    this.#timer.unref();
  }

  #startWatchers(): void {
    const wake = (): void => this.#schedule(20);
    for (const root of this.#roots) {
      // A directory is watched recursively; a file through its directory, so that an editor's
      // write-new-then-rename still wakes us (a watch on the file itself follows the old inode).
      const isDir = this.#rootIsDir.get(root) === true;
      try {
        const w = watch(isDir ? root : dirname(root), { recursive: isDir, persistent: false }, wake);
        w.on('error', () => w.close()); // polling covers for it
        this.#watchers.push(w);
      } catch {
        // ENOSPC (inotify limits), unsupported platform, …: polling alone still picks changes up
      }
    }
  }

  #isStopped(): boolean { return this.#state === 'stopped'; }

  #report(err: ManifestError): void {
    if (this.#state === 'stopped') return;
    try { this.#onError(err); } catch { /* a throwing logger must not stop reloads */ }
  }

  /** Lists the files of every root with their stat stamps. */
  async #list(): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const visited = new Set<string>();
    const walk = async (dir: string): Promise<void> => {
      let entries: string[];
      try {
        entries = (await readdir(dir)).sort();
      } catch {
        return; // vanished or unreadable: its files count as gone
      }
      const stats = await Promise.all(entries.map(async (name) => {
        if (name.startsWith('.')) return undefined;
        const path = join(dir, name);
        try { return { path, name, st: await stat(path) }; } catch { return undefined; } // dangling symlink, raced delete
      }));
      for (const e of stats) {
        if (e === undefined) continue;
        if (e.st.isDirectory()) {
          const id = `${e.st.dev}:${e.st.ino}`;
          if (visited.has(id)) continue; // symlink loop
          visited.add(id);
          await walk(e.path);
        } else if (e.st.isFile() && EXTENSIONS.has(extname(e.name).toLowerCase())) {
          found.set(e.path, stampOf(e.st));
        }
      }
    };
    for (const root of this.#roots) {
      let st;
      try {
        st = await stat(root);
      } catch (err) {
        if (!this.#missingRoots.has(root)) {
          this.#missingRoots.add(root);
          this.#report(new ManifestError(root, undefined, errno(err) === 'ENOENT' ? 'path no longer exists; its last objects keep serving until it is back' : `cannot read: ${String(err)}; its last objects keep serving`));
        }
        continue;
      }
      this.#missingRoots.delete(root);
      if (st.isDirectory()) {
        visited.add(`${st.dev}:${st.ino}`);
        await walk(root);
      } else if (st.isFile()) {
        found.set(root, stampOf(st));
      }
    }
    return found;
  }

  #underMissingRoot(path: string): boolean {
    for (const root of this.#missingRoots) {
      if (path === root || path.startsWith(root.endsWith(sep) ? root : root + sep)) return true;
    }
    return false;
  }

  async #scan(force: boolean): Promise<void> {
    if (this.#state === 'stopped') return;
    const found = await this.#list();
    const now = Date.now();
    const ready: [string, string | null][] = [];
    let recheck = Infinity;
    const consider = (path: string, stamp: string | null): void => {
      const prev = this.#pending.get(path);
      if (force) { ready.push([path, stamp]); return; }
      if (prev === undefined || prev.stamp !== stamp) {
        this.#pending.set(path, { stamp, since: now });
        recheck = Math.min(recheck, this.#settleMs);
      } else if (now - prev.since >= this.#settleMs) {
        ready.push([path, stamp]);
      } else {
        recheck = Math.min(recheck, this.#settleMs - (now - prev.since));
      }
    };
    const candidates = new Set<string>();
    for (const [path, stamp] of found) {
      if (this.#files.get(path)?.stamp !== stamp) { candidates.add(path); consider(path, stamp); }
    }
    for (const path of this.#files.keys()) {
      // Under a root that is gone, a file is not deleted: the root is away, and keeps its objects.
      if (!found.has(path) && !this.#underMissingRoot(path)) { candidates.add(path); consider(path, null); }
    }
    for (const path of this.#pending.keys()) if (!candidates.has(path)) this.#pending.delete(path);

    let read = 0;
    let failed = 0;
    for (const [path, stamp] of ready) {
      this.#pending.delete(path);
      if (stamp === null) { this.#files.delete(path); continue; }
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if (errno(err) === 'ENOENT') continue; // deleted since listing: the next scan handles it
        this.#files.set(path, { stamp, items: this.#files.get(path)?.items });
        this.#report(new ManifestError(path, undefined, `cannot read: ${err instanceof Error ? err.message : String(err)}`));
        read++;
        failed++;
        continue;
      }
      read++;
      const { items, errors } = parseManifest(path, text);
      if (errors.length > 0) {
        failed++;
        this.#files.set(path, { stamp, items: this.#files.get(path)?.items });
        for (const e of errors) this.#report(e);
      } else {
        this.#files.set(path, { stamp, items: slim(items, this.#pods, this.#labels !== undefined || this.#namespaceLabels !== undefined) });
      }
    }
    if (recheck !== Infinity) this.#schedule(recheck);
    if (ready.length === 0 && !force) return;
    if (this.#isStopped()) return; // stopped while reading
    this.#publish(read, failed);
  }

  #publish(read: number, failed: number): void {
    const paths = [...this.#files.keys()].sort();
    const items: ApiItem[] = [];
    let files = 0;
    for (const path of paths) {
      const good = this.#files.get(path)?.items;
      if (good === undefined) continue;
      files++;
      for (const item of good) items.push(item);
    }
    const objects = assemble(items, { labels: this.#labels, namespaceLabels: this.#namespaceLabels, implicitNamespaces: true });
    const changed = this.#store.replace(objects);
    try {
      this.#onReload?.({ files, objects: objects.length, changed, read, failed });
    } catch { /* listener errors are not ours */ }
  }
}
