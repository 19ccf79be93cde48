/**
 * Glob matching of one path component, with Go's path/filepath.Match rules (which CoreDNS's
 * import uses): `*` any run of characters, `?` one character, `[…]` a class with ranges and `^`
 * for negation, `\` escapes the next character. A leading dot is not special.
 */

export class GlobError extends Error {
  constructor(message: string) { super(message); this.name = 'GlobError'; }
}

export function hasGlobMeta(s: string): boolean {
  return /[*?[\\]/.test(s);
}

/** Whether `name` matches `pattern`; throws GlobError for a malformed pattern (an unclosed `[`). */
export function globMatch(pattern: string, name: string): boolean {
  validate(pattern);
  return match([...pattern], 0, [...name], 0);
}

function validate(p: string): void {
  const cs = [...p];
  for (let i = 0; i < cs.length; i++) {
    if (cs[i] === '\\') { if (++i >= cs.length) throw new GlobError(`bad pattern ${JSON.stringify(p)}: trailing backslash`); continue; }
    if (cs[i] === '[') {
      const end = classEnd(cs, i);
      if (end === -1) throw new GlobError(`bad pattern ${JSON.stringify(p)}: unclosed '['`);
      i = end;
    }
  }
}

/** Index of the `]` closing the class opened at `i`, or -1. */
function classEnd(p: readonly string[], i: number): number {
  let j = i + 1;
  if (p[j] === '^') j++;
  let first = true;
  for (; j < p.length; j++) {
    if (p[j] === ']' && !first) return j;
    if (p[j] === '\\') j++;
    first = false;
  }
  return -1;
}

function inClass(p: readonly string[], open: number, end: number, c: string): boolean {
  let j = open + 1;
  let negate = false;
  if (p[j] === '^') { negate = true; j++; }
  let hit = false;
  while (j < end) {
    let lo = p[j]!;
    if (lo === '\\') lo = p[++j]!;
    j++;
    let hi = lo;
    if (p[j] === '-' && j + 1 < end) {
      hi = p[j + 1]!;
      if (hi === '\\') { hi = p[j + 2]!; j++; }
      j += 2;
    }
    if (c >= lo && c <= hi) hit = true;
  }
  return hit !== negate;
}

function match(p: readonly string[], pi: number, s: readonly string[], si: number): boolean {
  while (pi < p.length) {
    const c = p[pi]!;
    if (c === '*') {
      while (p[pi] === '*') pi++;
      if (pi === p.length) return true;
      for (let k = si; k <= s.length; k++) if (match(p, pi, s, k)) return true;
      return false;
    }
    if (si >= s.length) return false;
    if (c === '?') { pi++; si++; continue; }
    if (c === '[') {
      const end = classEnd(p, pi);
      if (!inClass(p, pi, end, s[si]!)) return false;
      pi = end + 1; si++;
      continue;
    }
    const lit = c === '\\' ? p[++pi]! : c;
    if (lit !== s[si]) return false;
    pi++; si++;
  }
  return si === s.length;
}
