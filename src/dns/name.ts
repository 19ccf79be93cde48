/**
 * Domain names in presentation form (RFC 1035 §5.1): absolute, with a trailing dot, the root is
 * ".", and label bytes that are not plain printable ASCII are escaped (`\.`, `\\`, `\DDD`).
 * Everything here is string work on that form: case folding, comparison, label splitting and
 * the size rules of RFC 1035 §2.3.4 (label ≤ 63 octets, name ≤ 255 octets on the wire).
 * The wire form itself lives in message.ts.
 *
 * A '.' is a label separator unless it is escaped; `\X` (X not a digit) is the octet X and
 * `\DDD` is the octet with decimal value DDD. Names without a trailing dot are treated as
 * absolute by the functions that need it (`fqdn` adds the dot).
 */

const DOT = 46;
const BACKSLASH = 92;
const ZERO = 48;
const NINE = 57;
const UPPER_A = 65;
const UPPER_Z = 90;

/** The maximum length of one label in octets (RFC 1035 §2.3.4). */
export const MAX_LABEL_LENGTH = 63;
/** The maximum length of a name in wire form, length octets and root included (RFC 1035 §2.3.4). */
export const MAX_NAME_LENGTH = 255;

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function foldAscii(c: number): number {
  return c >= UPPER_A && c <= UPPER_Z ? c | 0x20 : c;
}

/**
 * ASCII-only lower-casing (RFC 4343 §3: DNS case-insensitivity covers A-Z only). Returns the
 * same string when it has no upper-case ASCII letter; never touches non-ASCII characters.
 */
export function lowerName(name: string): string {
  let hasUpper = false;
  let ascii = true;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= UPPER_A && c <= UPPER_Z) hasUpper = true;
    else if (c > 127) ascii = false;
  }
  if (!hasUpper) return name;
  // For pure ASCII the built-in lower-casing is exactly the ASCII one.
  if (ascii) return name.toLowerCase();
  let out = '';
  let runStart = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= UPPER_A && c <= UPPER_Z) {
      out += name.slice(runStart, i) + String.fromCharCode(c | 0x20);
      runStart = i + 1;
    }
  }
  return out + name.slice(runStart);
}

/** Case-insensitive (ASCII) equality of two names in the same spelling of escapes. */
export function nameEquals(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (foldAscii(a.charCodeAt(i)) !== foldAscii(b.charCodeAt(i))) return false;
  }
  return true;
}

/** Whether the '.' at index `i` of `name` is a label separator (not escaped). */
function isSeparatorAt(name: string, i: number): boolean {
  if (name.charCodeAt(i) !== DOT) return false;
  let backslashes = 0;
  for (let j = i - 1; j >= 0 && name.charCodeAt(j) === BACKSLASH; j--) backslashes++;
  return (backslashes & 1) === 0;
}

/** Whether the name ends with an unescaped dot (or is the root). */
export function isFqdn(name: string): boolean {
  return name.length > 0 && isSeparatorAt(name, name.length - 1);
}

/** The name with a trailing dot ("" becomes the root "."). */
export function fqdn(name: string): string {
  if (name.length === 0) return '.';
  return isFqdn(name) ? name : name + '.';
}

/**
 * Whether `name` is `zone` or below it: case-insensitive (ASCII), label-aware
 * ("xfoo.bar." is not under "foo.bar."), and the root "." is the parent of every name.
 */
export function isSubdomain(name: string, zone: string): boolean {
  const n = fqdn(name);
  const z = fqdn(zone);
  if (z.length === 1) return true; // the root
  const nl = n.length;
  const zl = z.length;
  if (zl > nl) return false;
  const base = nl - zl;
  for (let i = 0; i < zl; i++) {
    if (foldAscii(n.charCodeAt(base + i)) !== foldAscii(z.charCodeAt(i))) return false;
  }
  return base === 0 || isSeparatorAt(n, base - 1);
}

/** Whether `name` is in one of `zones` (CoreDNS plugin.Zones.Matches(name) != ""). */
export function inZones(name: string, zones: readonly string[]): boolean {
  for (const z of zones) if (isSubdomain(name, z)) return true;
  return false;
}

/**
 * The longest of `zones` that `lname` (lower case, absolute: Request.lname) equals or is under, or
 * null (CoreDNS plugin.Zones.Matches). By suffix alone, for the per-query path: an escaped dot
 * counts as a label boundary here.
 */
export function matchLowerZone(lname: string, zones: readonly string[]): string | null {
  let best: string | null = null;
  for (const z of zones) {
    if (z === '.' || lname === z || (lname.endsWith(z) && lname.charCodeAt(lname.length - z.length - 1) === 46 /* . */)) {
      if (best === null || z.length > best.length) best = z;
    }
  }
  return best;
}

/**
 * The labels of a name, leftmost first, escapes kept as written ("a\.b.c." → ["a\.b", "c"]).
 * The root has no labels.
 */
export function labels(name: string): string[] {
  const out: string[] = [];
  const n = name.length;
  let start = 0;
  let i = 0;
  while (i < n) {
    const c = name.charCodeAt(i);
    if (c === BACKSLASH) {
      i += 2;
      continue;
    }
    if (c === DOT) {
      if (i > start) out.push(name.slice(start, i));
      start = i + 1;
    }
    i++;
  }
  if (start < n) out.push(name.slice(start, n));
  return out;
}

/** The number of labels (the root has 0). */
export function labelCount(name: string): number {
  let count = 0;
  let inLabel = false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === DOT) {
      inLabel = false;
      continue;
    }
    if (!inLabel) {
      count++;
      inLabel = true;
    }
    if (c === BACKSLASH) i++;
  }
  return count;
}

/**
 * Joins labels and (relative or absolute) names into one absolute name:
 * joinName('_http', '_tcp', 'web.shop.svc.cluster.local.') → '_http._tcp.web.shop.svc.cluster.local.'.
 * Empty parts and "." are skipped; no parts gives the root.
 */
export function joinName(...parts: string[]): string {
  let out = '';
  for (const part of parts) {
    if (part.length === 0 || part === '.') continue;
    out += isFqdn(part) ? part : part + '.';
  }
  return out.length === 0 ? '.' : out;
}

/** The name one label up ("a.b." → "b.", "b." → "."), or null for the root. */
export function parentName(name: string): string | null {
  const n = name.length;
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    if (c === BACKSLASH) {
      i++;
      continue;
    }
    if (c === DOT) {
      if (i === 0) return null; // the root
      return i + 1 >= n ? '.' : name.slice(i + 1);
    }
  }
  return n === 0 ? null : '.';
}

/**
 * The labels of `name` above `zone` ("a.b.example.", "example." → ["a", "b"]), [] when they are
 * equal, null when `name` is not in `zone`. Case-insensitive; labels keep their spelling.
 */
export function relativeLabels(name: string, zone: string): string[] | null {
  if (!isSubdomain(name, zone)) return null;
  const all = labels(name);
  const drop = labelCount(zone);
  return all.slice(0, all.length - drop);
}

/**
 * The wire length of a name (length octets and the terminating root octet included), or -1 when
 * it is not a well-formed presentation name: empty label, label over 63 octets, bad escape
 * (`\` at the end, `\DDD` not three digits or over 255), or a character above U+00FF.
 * A name without a trailing dot is measured as if it had one; "" and "." measure 1.
 * Names longer than 255 octets are measured, not rejected: compare with MAX_NAME_LENGTH.
 */
export function nameWireLength(name: string): number {
  const n = name.length;
  if (n === 0 || (n === 1 && name.charCodeAt(0) === DOT)) return 1;
  let total = 1; // the root octet
  let label = 0;
  let i = 0;
  while (i < n) {
    const c = name.charCodeAt(i);
    if (c === DOT) {
      if (label === 0) return -1; // empty label (leading dot or "..")
      total += label + 1;
      label = 0;
      i++;
      continue;
    }
    if (c === BACKSLASH) {
      if (i + 1 >= n) return -1;
      const d = name.charCodeAt(i + 1);
      if (isDigit(d)) {
        if (i + 3 >= n) return -1;
        const d2 = name.charCodeAt(i + 2);
        const d3 = name.charCodeAt(i + 3);
        if (!isDigit(d2) || !isDigit(d3)) return -1;
        if ((d - ZERO) * 100 + (d2 - ZERO) * 10 + (d3 - ZERO) > 255) return -1;
        i += 4;
      } else {
        if (d > 0xff) return -1;
        i += 2;
      }
    } else {
      if (c > 0xff) return -1;
      i++;
    }
    if (++label > MAX_LABEL_LENGTH) return -1;
  }
  if (label > 0) total += label + 1; // no trailing dot: the last label
  return total;
}

/**
 * Why a presentation name is not usable, or null when it is (RFC 1035 §2.3.4: labels of at
 * most 63 octets, at most 255 octets in wire form; escapes per §5.1).
 */
export function validateName(name: string): string | null {
  if (name.length === 0) return 'empty name';
  const len = nameWireLength(name);
  if (len < 0) return 'malformed name (empty label, label over 63 octets, bad escape or non-latin1 character)';
  if (len > MAX_NAME_LENGTH) return `name is ${len} octets in wire form, over the 255 limit`;
  return null;
}

/** validateName(name) === null. */
export function isValidName(name: string): boolean {
  return validateName(name) === null;
}
