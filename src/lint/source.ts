/**
 * Manifest text → API objects that remember where they came from: the file, the document, the
 * line of the object and of any field in it. YAML is read as kubectl reads it (YAML 1.1, merge
 * keys) with the `yaml` package's source ranges; `kind: List` and typed lists (`ServiceList`) are
 * flattened into their items. A JSON file is read through the same YAML parser when that gives
 * exactly JSON.parse's value (so its lines are known too), else with JSON.parse (every line 1).
 *
 * Problems that stop an object from being read at all (YAML syntax, a document that is not an
 * object, a missing kind or apiVersion) are `manifest-invalid` findings. Pure: text in.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { Finding } from './types.ts';
import { apiRoot } from '../cluster/api/paths.ts';

export type Path = readonly (string | number)[];

export interface SourceObject {
  readonly file: string;
  /** 1-based document number in the file. */
  readonly document: number;
  /** Where the object sits in its document: [] or ['items', i] (nested lists add more). */
  readonly base: Path;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** metadata.namespace, '' when not set (the caller defaults it). */
  readonly namespace: string;
  /** The object as parsed, kind and apiVersion filled in from a typed list. */
  readonly raw: Readonly<Record<string, unknown>>;
  /** The object's first line. */
  readonly line: number;
  /**
   * The line of a field of the object (the key's line for a mapping entry, the item's for a list
   * entry), or of its deepest ancestor that exists; `offset` refines it within a block-literal
   * string (`|`) to the line holding that character of the value.
   */
  lineOf(path: Path, offset?: number): number;
}

export interface ParsedFile {
  readonly objects: SourceObject[];
  readonly findings: Finding[];
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Finds lines of paths in one parsed YAML document. */
class Locator {
  readonly #doc: Document.Parsed;
  readonly #lc: LineCounter;
  constructor(doc: Document.Parsed, lc: LineCounter) {
    this.#doc = doc;
    this.#lc = lc;
  }

  #line(offset: number): number {
    return this.#lc.linePos(offset).line;
  }

  #deref(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.#doc) : node;
  }

  line(path: Path, offset?: number): number {
    let node = this.#deref(this.#doc.contents);
    const start = (node as YamlNode | null)?.range?.[0] ?? 0;
    let line = this.#line(start);
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => {
          const k = this.#deref(p.key);
          return (isScalar(k) ? k.value : k) === seg || (isScalar(k) && String(k.value) === String(seg));
        });
        if (pair === undefined) return line;
        const key = pair.key as YamlNode | null;
        if (key?.range !== undefined && key.range !== null) line = this.#line(key.range[0]);
        node = this.#deref(pair.value);
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = this.#deref(node.items[seg]);
        if (item === undefined || item === null) return line;
        const range = (item as YamlNode).range;
        if (range !== undefined && range !== null) line = this.#line(range[0]);
        node = item;
      } else {
        return line;
      }
    }
    if (offset !== undefined && isScalar(node) && node.type === 'BLOCK_LITERAL' && typeof node.value === 'string' && node.range !== undefined && node.range !== null) {
      // The value starts on the line after the `|` indicator, one line per "\n".
      const before = node.value.slice(0, offset);
      line = this.#line(node.range[0]) + 1 + (before.match(/\n/g)?.length ?? 0);
    }
    return line;
  }
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function problem(file: string, line: number, message: string): Finding {
  return { rule: 'manifest-invalid', severity: 'error', file, line, object: null, field: null, message };
}

/** Flattens one document's value into objects (lists into their items). */
function collect(
  file: string, document: number, value: unknown, base: Path, defaults: { apiVersion: string; kind: string } | undefined,
  lineOf: (path: Path, offset?: number) => number, out: ParsedFile,
): void {
  const line = lineOf(base);
  const where = `document ${document}${base.length > 0 ? ` ${base.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').replace(/^\./, '')}` : ''}`;
  if (!isObj(value)) {
    out.findings.push(problem(file, line, `${where}: expected an API object, got ${describe(value)}`));
    return;
  }
  const apiVersion = value['apiVersion'] ?? defaults?.apiVersion;
  const kind = value['kind'] ?? defaults?.kind;
  if (typeof kind !== 'string' || kind === '') { out.findings.push(problem(file, line, `${where}: kind is not set`)); return; }
  if (typeof apiVersion !== 'string' || apiVersion === '') { out.findings.push(problem(file, line, `${where}: apiVersion is not set`)); return; }
  if (kind.endsWith('List') && (value['items'] !== undefined || kind === 'List')) {
    const items = value['items'];
    if (items === undefined || items === null) return;
    if (!Array.isArray(items)) { out.findings.push(problem(file, lineOf([...base, 'items']), `${where}: ${kind} items: expected a list, got ${describe(items)}`)); return; }
    const itemDefaults = kind === 'List' ? undefined : { apiVersion, kind: kind.slice(0, -'List'.length) };
    items.forEach((item, i) => collect(file, document, item, [...base, 'items', i], itemDefaults, lineOf, out));
    return;
  }
  const meta = isObj(value['metadata']) ? value['metadata'] : {};
  const name = typeof meta['name'] === 'string' ? meta['name'] : typeof meta['generateName'] === 'string' ? meta['generateName'] : '';
  const namespace = typeof meta['namespace'] === 'string' ? meta['namespace'] : '';
  out.objects.push({
    file, document, base, apiVersion, kind, name, namespace,
    raw: { ...value, apiVersion, kind },
    line,
    lineOf: (path, offset) => lineOf([...base, ...path], offset),
  });
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/:\s*$/, '');
}

/** Reads one manifest file's text. `json` picks JSON reading (by the caller, from the name). */
export function parseSource(file: string, text: string, json = /\.json$/i.test(file)): ParsedFile {
  const out: ParsedFile = { objects: [], findings: [] };
  if (json) {
    if (text.trim() === '') return out;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      out.findings.push(problem(file, 1, `invalid JSON: ${err instanceof Error ? err.message : String(err)}`));
      return out;
    }
    // The YAML parser gives lines; use it when it reads the same value.
    const lc = new LineCounter();
    const docs = parseAllDocuments(text, { lineCounter: lc });
    const doc = Array.isArray(docs) && docs.length === 1 ? docs[0] : undefined;
    let locate: (path: Path, offset?: number) => number = () => 1;
    if (doc !== undefined && doc.errors.length === 0) {
      try {
        if (JSON.stringify(doc.toJS({ maxAliasCount: 0 })) === JSON.stringify(value)) {
          const locator = new Locator(doc, lc);
          locate = (path, offset) => locator.line(path, offset);
        }
      } catch { /* keep line 1 */ }
    }
    collect(file, 1, value, [], undefined, locate, out);
    return out;
  }
  const lc = new LineCounter();
  // sigs.k8s.io/yaml reads YAML 1.1 (yes/no are booleans), as kubectl does.
  const docs = parseAllDocuments(text, { lineCounter: lc, version: '1.1', merge: true });
  if (!Array.isArray(docs)) return out; // an empty stream
  docs.forEach((doc, i) => {
    const n = i + 1;
    const err = doc.errors[0];
    if (err !== undefined) {
      const more = doc.errors.length > 1 ? ` (and ${doc.errors.length - 1} more)` : '';
      const line = err.linePos?.[0].line ?? lc.linePos(err.pos[0]).line;
      out.findings.push(problem(file, line, `document ${n}: YAML syntax error: ${firstLine(err.message)}${more}`));
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      out.findings.push(problem(file, lc.linePos(doc.range[0]).line, `document ${n}: invalid YAML: ${e instanceof Error ? firstLine(e.message) : String(e)}`));
      return;
    }
    if (value === null || value === undefined) return; // an empty document
    const locator = new Locator(doc, lc);
    collect(file, n, value, [], undefined, (path, offset) => locator.line(path, offset), out);
  });
  return out;
}

/**
 * An object read from a live API server (`podns lint` without --manifests): it has no file or
 * line, so its `file` is its API path (what `kubectl get --raw` takes: `/api/v1/namespaces/NS/
 * pods/NAME`) and every line is 0. `kind` and `apiVersion` come from the list it was in (list
 * items carry neither); `resource` is the list's resource (`pods`, `deployments`).
 */
export function apiObject(raw: Readonly<Record<string, unknown>>, type: { kind: string; apiVersion: string; resource: string }): SourceObject {
  const meta = isObj(raw['metadata']) ? raw['metadata'] : {};
  const name = typeof meta['name'] === 'string' ? meta['name'] : '';
  const namespace = typeof meta['namespace'] === 'string' ? meta['namespace'] : '';
  const { kind, apiVersion } = type;
  return {
    file: `${apiRoot(apiVersion)}${namespace === '' ? '' : `/namespaces/${namespace}`}/${type.resource}/${name}`,
    document: 1, base: [], apiVersion, kind, name, namespace,
    raw: { ...raw, apiVersion, kind }, line: 0, lineOf: () => 0,
  };
}

/** The API group of an object's apiVersion ('' for core). */
export function groupOf(o: SourceObject): string {
  return splitApiVersion(o.apiVersion).group;
}
