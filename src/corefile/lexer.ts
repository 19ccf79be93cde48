/**
 * The Corefile lexer, following caddy v1's caddyfile lexer (which CoreDNS uses):
 * - tokens are separated by white space (Go's unicode.IsSpace); `\r` is ignored; only `\n` counts
 *   a line; a leading byte order mark is dropped;
 * - `#` outside quotes starts a comment to the end of the line, even in the middle of a word;
 * - a token that starts with `"` runs to the next unescaped `"` and may span lines; inside it only
 *   `\"` is an escape (any other backslash is kept as written);
 * - a `"` in the middle of a word is an ordinary character; braces are ordinary words too (`{` and
 *   `}` only mean something to the parser when they stand alone and unquoted).
 * Unlike caddy, an unterminated quoted string is an error rather than a silently kept token.
 */
import { CorefileError } from './errors.ts';

export interface Token {
  readonly text: string;
  readonly file: string;
  /** The line the token starts on. */
  readonly line: number;
  /** The line the token ends on (differs from `line` for a quoted string spanning lines). */
  readonly endLine: number;
  /** Written in double quotes: always a plain word, never a brace or the `import` keyword. */
  readonly quoted: boolean;
}

/** Go's unicode.IsSpace: the Latin-1 spaces plus the Unicode White_Space Z characters. */
export function isSpace(c: number): boolean {
  if (c <= 0xff) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x85 || c === 0xa0;
  return c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029
    || c === 0x202f || c === 0x205f || c === 0x3000;
}

export function tokenize(text: string, file: string): Token[] {
  const tokens: Token[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) { line++; i++; continue; }
    if (isSpace(c)) { i++; continue; }
    if (c === 0x23 /* # */) {
      while (i < n && text.charCodeAt(i) !== 0x0a) i++;
      continue;
    }
    if (c === 0x22 /* " */) {
      const start = line;
      let val = '';
      let j = i + 1;
      let closed = false;
      while (j < n) {
        const ch = text[j]!;
        if (ch === '\\' && j + 1 < n) {
          const nx = text[j + 1]!;
          if (nx === '"') { val += '"'; j += 2; continue; }
          // Only quotes are escaped: the backslash stays, and the next character is taken as is
          // (so `\\` keeps both backslashes and does not escape a following quote).
          val += '\\' + nx;
          if (nx === '\n') line++;
          j += 2;
          continue;
        }
        if (ch === '"') { closed = true; j++; break; }
        if (ch === '\n') line++;
        val += ch;
        j++;
      }
      if (!closed) throw new CorefileError(file, start, 'Unterminated quoted string (missing closing \'"\')');
      tokens.push({ text: val, file, line: start, endLine: line, quoted: true });
      i = j;
      continue;
    }
    let j = i;
    while (j < n) {
      const ch = text.charCodeAt(j);
      if (isSpace(ch) || ch === 0x23) break;
      j++;
    }
    tokens.push({ text: text.slice(i, j), file, line, endLine: line, quoted: false });
    i = j;
  }
  return tokens;
}
