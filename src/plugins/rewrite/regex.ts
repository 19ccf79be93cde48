/**
 * CoreDNS's rewrite patterns are Go regular expressions (RE2 syntax); podns runs them as
 * JavaScript RegExps. translateGoRegex() rewrites the RE2 spellings JavaScript lacks and refuses
 * what RE2 refuses or JavaScript cannot express, so a pattern that starts here also starts in
 * CoreDNS and matches the same names:
 *
 * - `(?P<name>…)` → `(?<name>…)`;
 * - flags `(?i)`, `(?s)`, `(?m)` (also mid-pattern, up to the end of the enclosing group) →
 *   JavaScript modifier groups `(?i:…)`; `(?flags:…)` is kept; the `U` (ungreedy) flag is refused;
 * - `\A` / `\z` → start / end of input; `\Q…\E` → the literal text; `\a` → `\x07`;
 *   `\x{41}` → `\u0041`;
 * - `[[:alpha:]]`-style ASCII classes → ranges; a `]` first in a class is a literal `]`;
 * - refused like RE2 refuses them: back-references (`\1`), look-around (`(?=`, `(?!`, `(?<=`,
 *   `(?<!`), unknown letter escapes (`\e`), repeat counts over 1000;
 * - refused because JavaScript needs its `u` mode for them: Unicode classes (`\pL`, `\p{Greek}`)
 *   and `\C`.
 * Matching is leftmost-first in both engines, so captured groups agree. Differences that remain:
 * `\s`, `\w`, `\b` and `.` are ASCII-only in RE2 and Unicode-aware in places in JavaScript; DNS
 * names are ASCII, so these never differ on a query name.
 *
 * Template: CoreDNS's replacement strings reference groups as `{0}` (the whole match), `{1}`, …;
 * the result is the template with the groups filled in (not the input with the match replaced).
 */

export class GoRegexError extends Error {
  constructor(message: string) { super(message); this.name = 'GoRegexError'; }
}

export interface GoRegex {
  readonly re: RegExp;
  /** RE2's NumSubexp(): the number of capturing groups. */
  readonly groups: number;
}

const POSIX: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9', graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ', upper: 'A-Z', word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

/** Escapes that mean the same in RE2 and in a JavaScript (non-`u`) RegExp. */
const SAME_ESCAPES = new Set(['b', 'B', 'd', 'D', 's', 'S', 'w', 'W', 't', 'n', 'r', 'f', 'v']);

function escapeLiteral(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(c) ? '\\' + c : c;
}

/** Translates one escape at src[i] === '\\'; returns [translation, next index]. */
function escape(src: string, i: number, inClass: boolean): [string, number] {
  const c = src[i + 1];
  if (c === undefined) throw new GoRegexError('trailing backslash at end of expression');
  if (SAME_ESCAPES.has(c)) {
    if (inClass && (c === 'b' || c === 'B')) throw new GoRegexError(`invalid escape sequence: \\${c}`);
    return ['\\' + c, i + 2];
  }
  if (c === 'a') return ['\\x07', i + 2];
  if (!inClass && c === 'A') return ['(?<![\\s\\S])', i + 2];
  if (!inClass && c === 'z') return ['(?![\\s\\S])', i + 2];
  if (c === 'x') {
    if (src[i + 2] === '{') {
      const end = src.indexOf('}', i + 3);
      const hex = end < 0 ? '' : src.slice(i + 3, end);
      if (!/^[0-9A-Fa-f]{1,4}$/.test(hex)) throw new GoRegexError(`unsupported escape sequence: \\x{${hex}}`);
      return ['\\u' + hex.padStart(4, '0'), end + 1];
    }
    if (!/^[0-9A-Fa-f]{2}$/.test(src.slice(i + 2, i + 4))) throw new GoRegexError('invalid escape sequence: \\x');
    return [src.slice(i, i + 4), i + 4];
  }
  if (c === 'p' || c === 'P') throw new GoRegexError(`Unicode classes (\\${c}) are not supported`);
  if (c === 'C') throw new GoRegexError('\\C is not supported');
  if (/[0-9]/.test(c)) throw new GoRegexError(`invalid escape sequence: \\${c} (back-references and octal escapes are not supported)`);
  if (/[A-Za-z]/.test(c)) throw new GoRegexError(`invalid escape sequence: \\${c}`);
  // An escaped punctuation character (or any other non-word character) is itself.
  return [escapeLiteral(c), i + 2];
}

/** Translates a class starting at src[i] === '['; returns [translation, next index]. */
function charClass(src: string, i: number): [string, number] {
  let out = '[';
  let j = i + 1;
  if (src[j] === '^') { out += '^'; j++; }
  let first = true;
  for (;;) {
    const c = src[j];
    if (c === undefined) throw new GoRegexError(`missing closing ]: ${src.slice(i)}`);
    if (c === ']' && !first) return [out + ']', j + 1];
    first = false;
    if (c === '[' && src[j + 1] === ':') {
      const end = src.indexOf(':]', j + 2);
      const spec = end < 0 ? '' : src.slice(j + 2, end);
      const negated = spec.startsWith('^');
      const ranges = POSIX[negated ? spec.slice(1) : spec];
      if (ranges === undefined) throw new GoRegexError(`invalid character class range: [:${spec}:]`);
      if (negated) throw new GoRegexError(`negated ASCII classes ([:^${spec.slice(1)}:]) are not supported`);
      out += ranges;
      j = end + 2;
      continue;
    }
    if (c === '\\') {
      const [t, next] = escape(src, j, true);
      out += t;
      j = next;
      continue;
    }
    out += c === ']' || c === '[' ? '\\' + c : c;
    j++;
  }
}

/** Checks the repeat count at src[i] === '{' (RE2 refuses counts over 1000); returns the text to copy. */
function repeat(src: string, i: number): [string, number] {
  const m = /^\{(\d+)(?:,(\d*))?\}/.exec(src.slice(i));
  if (m === null) return ['\\{', i + 1]; // not a repetition: a literal brace in both engines
  for (const n of [m[1], m[2]]) {
    if (n !== undefined && n !== '' && Number(n) > 1000) throw new GoRegexError(`invalid repeat count: ${m[0]}`);
  }
  if (m[2] !== undefined && m[2] !== '' && Number(m[2]) < Number(m[1])) throw new GoRegexError(`invalid repeat count: ${m[0]}`);
  return [m[0], i + m[0].length];
}

/** The JavaScript source for an RE2 pattern. Throws GoRegexError for what RE2 or JavaScript refuses. */
export function translateGoRegex(src: string): string {
  let out = '';
  // For each open group: how many modifier groups opened by mid-group flags must close with it.
  const pending: number[] = [0];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\\') {
      if (src[i + 1] === 'Q') {
        const end = src.indexOf('\\E', i + 2);
        const lit = end < 0 ? src.slice(i + 2) : src.slice(i + 2, end);
        out += [...lit].map(escapeLiteral).join('');
        i = end < 0 ? src.length : end + 2;
        continue;
      }
      const [t, next] = escape(src, i, false);
      out += t;
      i = next;
      continue;
    }
    if (c === '[') {
      const [t, next] = charClass(src, i);
      out += t;
      i = next;
      continue;
    }
    if (c === '{') {
      const [t, next] = repeat(src, i);
      out += t;
      i = next;
      continue;
    }
    if (c === '(') {
      if (src[i + 1] !== '?') {
        out += '(';
        pending.push(0);
        i++;
        continue;
      }
      const rest = src.slice(i + 2);
      const named = /^P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
      if (named !== null) {
        out += `(?<${named[1]}>`;
        pending.push(0);
        i += 2 + named[0].length;
        continue;
      }
      if (/^(=|!|<=|<!)/.test(rest)) throw new GoRegexError(`invalid or unsupported Perl syntax: (?${rest.slice(0, rest.startsWith('<') ? 2 : 1)}`);
      const flags = /^([A-Za-z]*)(?:-([A-Za-z]*))?([:)])/.exec(rest);
      if (flags === null) throw new GoRegexError(`invalid or unsupported Perl syntax: (?${rest.slice(0, 1)}`);
      const [whole, on = '', off, end] = flags;
      for (const f of on + (off ?? '')) {
        if (f === 'U') throw new GoRegexError('the U (ungreedy) flag is not supported');
        if (!'ims'.includes(f)) throw new GoRegexError(`invalid or unsupported Perl syntax: (?${whole}`);
      }
      if (on === '' && off === undefined && end === ':') { out += '(?:'; pending.push(0); i += 2 + whole.length; continue; }
      if ((on === '' && (off === undefined || off === '')) || off === '') throw new GoRegexError(`invalid or unsupported Perl syntax: (?${whole}`);
      const modifier = `(?${on}${off !== undefined ? '-' + off : ''}:`;
      out += modifier;
      if (end === ':') pending.push(0);
      else pending[pending.length - 1]! += 1; // flags up to the end of the enclosing group
      i += 2 + whole.length;
      continue;
    }
    if (c === ')') {
      if (pending.length === 1) throw new GoRegexError(`unexpected ): ${src}`);
      out += ')'.repeat(pending.pop()!) + ')';
      i++;
      continue;
    }
    out += c;
    i++;
  }
  if (pending.length !== 1) throw new GoRegexError(`missing closing ): ${src}`);
  return out + ')'.repeat(pending[0]!);
}

/** Compiles an RE2 pattern once; throws GoRegexError. */
export function compileGoRegex(src: string): GoRegex {
  const js = translateGoRegex(src);
  let re: RegExp;
  try {
    re = new RegExp(js);
  } catch (err) {
    throw new GoRegexError((err as Error).message);
  }
  const groups = new RegExp(js + '|').exec('')!.length - 1;
  return { re, groups };
}

/** A `{N}` replacement template, split once into literal text and group references. */
export class Template {
  readonly #parts: ReadonlyArray<string | number>;

  /** References to groups beyond `groups` stay literal text, as CoreDNS leaves them. */
  constructor(text: string, groups: number) {
    const parts: Array<string | number> = [];
    let lit = '';
    const re = /\{(\d+)\}/g;
    let last = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const n = Number(m[1]);
      if (n > groups || String(n) !== m[1]) continue;
      lit += text.slice(last, m.index);
      if (lit !== '') parts.push(lit);
      lit = '';
      parts.push(n);
      last = m.index + m[0].length;
    }
    lit += text.slice(last);
    if (lit !== '') parts.push(lit);
    this.#parts = parts;
  }

  /** The template with the groups of `m` filled in (a group that did not take part is ""). */
  expand(m: RegExpExecArray): string {
    let out = '';
    for (const p of this.#parts) out += typeof p === 'string' ? p : (m[p] ?? '');
    return out;
  }
}

/** CoreDNS getSubExprUsage: how many of `{0}` … `{100}` the text uses. */
export function groupsUsed(text: string): number {
  let n = 0;
  for (let i = 0; i <= 100; i++) if (text.includes(`{${i}}`)) n++;
  return n;
}
