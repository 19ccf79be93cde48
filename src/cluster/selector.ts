/**
 * Kubernetes label selectors in their string form, as given to the kubernetes plugin's `labels`
 * and `namespace_labels` options: parsing (the grammar of k8s.io/apimachinery labels.Parse),
 * matching against an object's labels, and formatting back to the canonical string (what a
 * list/watch request sends as `labelSelector=`).
 *
 * Grammar: requirements separated by commas, each one of
 *   `key`  `!key`  `key=value`  `key==value`  `key!=value`  `key in (v1,v2)`  `key notin (v1)`.
 * Whitespace around tokens is ignored; the empty selector matches everything. Keys must be
 * qualified names (`[prefix/]name`), values valid label values (possibly empty).
 * `key>N` / `key<N` exist in labels.Parse but CoreDNS's option parser rejects them
 * (metav1.ParseToLabelSelector), so they are rejected here too.
 * Semantics: `=`/`in` need the label present with one of the values; `!=`/`notin` match when the
 * label is absent or has none of the values; `key` needs it present, `!key` absent.
 */

export type Labels = Readonly<Record<string, string>>;

export type SelectorOperator = 'in' | 'notin' | 'exists' | 'doesnotexist';

export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  /** The values for in/notin (`=` is in with one value, `!=` notin with one); [] otherwise. */
  readonly values: readonly string[];
}

export interface Selector {
  /** All must match (AND). Empty: matches everything. */
  readonly requirements: readonly Requirement[];
}

export class SelectorError extends Error {
  override readonly name = 'SelectorError';
}

/** Matches everything. */
export const EVERYTHING: Selector = Object.freeze({ requirements: Object.freeze([]) });

type Token =
  | { readonly t: 'id'; readonly v: string }
  | { readonly t: '!' | '=' | '==' | '!=' | '(' | ')' | ',' | '<' | '>' | 'end' };

const SPECIAL = new Set(['!', '=', '(', ')', ',', '<', '>']);

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '!' || c === '=') {
      if (text[i + 1] === '=') { out.push({ t: c === '!' ? '!=' : '==' }); i += 2; continue; }
      out.push({ t: c }); i++; continue;
    }
    if (SPECIAL.has(c)) { out.push({ t: c as '(' | ')' | ',' | '<' | '>' }); i++; continue; }
    let j = i;
    while (j < text.length && !SPECIAL.has(text[j] as string) && !/\s/.test(text[j] as string)) j++;
    out.push({ t: 'id', v: text.slice(i, j) });
    i = j;
  }
  out.push({ t: 'end' });
  return out;
}

const NAME_RE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkKey(key: string): void {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN_RE.test(prefix))) {
    throw new SelectorError(`invalid label key "${key}": the prefix must be a DNS subdomain`);
  }
  if (name.length === 0 || name.length > 63 || !NAME_RE.test(name)) {
    throw new SelectorError(`invalid label key "${key}": the name must be 1-63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`);
  }
}

function checkValue(value: string): void {
  if (value === '') return;
  if (value.length > 63 || !NAME_RE.test(value)) {
    throw new SelectorError(`invalid label value "${value}": must be at most 63 alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`);
  }
}

/** Parses a selector string; throws SelectorError with a reason on bad syntax. */
export function parseSelector(text: string): Selector {
  const tokens = tokenize(text);
  let p = 0;
  const peek = (): Token => tokens[p] as Token;
  const next = (): Token => tokens[p++] as Token;
  const describe = (tok: Token): string => (tok.t === 'id' ? `"${tok.v}"` : tok.t === 'end' ? 'end of selector' : `"${tok.t}"`);
  const requirements: Requirement[] = [];
  if (peek().t === 'end') return EVERYTHING;
  for (;;) {
    let tok = next();
    if (tok.t === '!') {
      tok = next();
      if (tok.t !== 'id') throw new SelectorError(`expected a label key after "!", found ${describe(tok)}`);
      checkKey(tok.v);
      requirements.push({ key: tok.v, operator: 'doesnotexist', values: [] });
    } else if (tok.t === 'id') {
      const key = tok.v;
      checkKey(key);
      const op = peek();
      if (op.t === ',' || op.t === 'end') {
        requirements.push({ key, operator: 'exists', values: [] });
      } else if (op.t === '=' || op.t === '==' || op.t === '!=') {
        p++;
        const v = peek();
        let value = '';
        if (v.t === 'id') { value = v.v; p++; } else if (v.t !== ',' && v.t !== 'end') {
          throw new SelectorError(`expected a value after "${op.t}" for key "${key}", found ${describe(v)}`);
        }
        checkValue(value);
        requirements.push({ key, operator: op.t === '!=' ? 'notin' : 'in', values: [value] });
      } else if (op.t === 'id' && (op.v === 'in' || op.v === 'notin')) {
        p++;
        const open = next();
        if (open.t !== '(') throw new SelectorError(`expected "(" after "${op.v}" for key "${key}", found ${describe(open)}`);
        const values: string[] = [];
        for (;;) {
          const v = peek();
          let value = '';
          if (v.t === 'id') { value = v.v; p++; }
          checkValue(value);
          if (!values.includes(value)) values.push(value);
          const sep = next();
          if (sep.t === ')') break;
          if (sep.t !== ',') throw new SelectorError(`expected "," or ")" in the values of key "${key}", found ${describe(sep)}`);
        }
        requirements.push({ key, operator: op.v, values });
      } else if (op.t === '<' || op.t === '>') {
        throw new SelectorError(`operator "${op.t}" is not supported in label selectors`);
      } else {
        throw new SelectorError(`expected an operator or "," after key "${key}", found ${describe(op)}`);
      }
    } else {
      throw new SelectorError(`expected a label key, found ${describe(tok)}`);
    }
    const sep = next();
    if (sep.t === 'end') break;
    if (sep.t !== ',') throw new SelectorError(`expected "," between requirements, found ${describe(sep)}`);
  }
  return { requirements };
}

/** Whether labels satisfy every requirement of the selector. */
export function matchesSelector(selector: Selector, labels: Labels): boolean {
  for (const r of selector.requirements) {
    const has = Object.hasOwn(labels, r.key);
    const value = has ? labels[r.key] : undefined;
    switch (r.operator) {
      case 'exists': if (!has) return false; break;
      case 'doesnotexist': if (has) return false; break;
      case 'in': if (value === undefined || !r.values.includes(value)) return false; break;
      case 'notin': if (value !== undefined && r.values.includes(value)) return false; break;
    }
  }
  return true;
}

/** The canonical string form (`a=b,c!=d,e in (x,y),f,!g`); parses back to the same selector. */
export function formatSelector(selector: Selector): string {
  return selector.requirements.map((r) => {
    switch (r.operator) {
      case 'exists': return r.key;
      case 'doesnotexist': return `!${r.key}`;
      case 'in': return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(',')})`;
      case 'notin': return r.values.length === 1 ? `${r.key}!=${r.values[0]}` : `${r.key} notin (${r.values.join(',')})`;
    }
  }).join(',');
}
