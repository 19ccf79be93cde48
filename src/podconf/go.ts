/**
 * The few Go standard-library behaviours the kubelet's and the API server's text handling depend
 * on, reproduced so podconf gives the same bytes:
 *
 * - `unicode.IsSpace`, `strings.TrimSpace` and `strings.Fields` (the kubelet splits resolv.conf
 *   lines with them): the space set is Go's, not JavaScript's `\s` (Go does not treat U+FEFF, the
 *   byte-order mark, as space; JavaScript does).
 * - `strconv.Quote` / `%q` and `%#v` of a `[]string`, which apimachinery's field errors use to print
 *   the bad value (`Invalid value: "x"`, `Invalid value: []string{"a", "b"}`).
 */

/** Go's unicode.IsSpace: ASCII \t \n \v \f \r and space, U+0085, U+00A0, and Unicode White_Space above Latin-1. */
export function isGoSpace(cp: number): boolean {
  if (cp <= 0xff) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d) || cp === 0x85 || cp === 0xa0;
  return cp === 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x2028 || cp === 0x2029
    || cp === 0x202f || cp === 0x205f || cp === 0x3000;
}

/** Go's strings.TrimSpace. */
export function goTrimSpace(s: string): string {
  const cps = Array.from(s);
  let start = 0;
  let end = cps.length;
  while (start < end && isGoSpace(cps[start]!.codePointAt(0)!)) start++;
  while (end > start && isGoSpace(cps[end - 1]!.codePointAt(0)!)) end--;
  return cps.slice(start, end).join('');
}

/** Go's strings.Fields: the runs of non-space characters. */
export function goFields(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const ch of s) {
    if (isGoSpace(ch.codePointAt(0)!)) {
      if (cur !== '') out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur !== '') out.push(cur);
  return out;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's strconv.Quote (what `%q` prints for a string). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') { out += '\\' + ch; continue; }
    if (PRINTABLE.test(ch)) { out += ch; continue; }
    switch (ch) {
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out + '"';
}

/** `%#v` of a Go []string: `[]string{"a", "b"}`. */
export function goStringSlice(values: readonly string[]): string {
  return `[]string{${values.map(goQuote).join(', ')}}`;
}

const encoder = new TextEncoder();

/** Go's len() of a string: its UTF-8 byte length. */
export function goLen(s: string): number {
  // Fast path: all ASCII.
  return /^[\x00-\x7f]*$/.test(s) ? s.length : encoder.encode(s).length;
}
