/**
 * Helpers plugin parsers use on a Directive: errors at the directive's file and line prefixed
 * `plugin/NAME: `, argument count checks, an argument cursor (Args), and the value parsers every
 * stanza needs (Go durations, bounded integers, zones). Nothing here knows any particular plugin.
 */
import { CorefileError } from './errors.ts';
import { KeyError, normalizeZone } from './keys.ts';
import type { Directive } from './types.ts';

/** An error at `d`'s file and line, with the message prefixed `plugin/<plugin>: `. */
export function configError(d: Directive, message: string, plugin: string = d.name, options?: ErrorOptions): CorefileError {
  return new CorefileError(d.file, d.line, `plugin/${plugin}: ${message}`, options);
}

/**
 * CoreDNS's ArgErr text: "Wrong argument count or unexpected line ending after 'TOKEN'", where
 * TOKEN is the last token caddy read (default: the last argument, else the directive's name).
 */
export function argError(d: Directive, after: string = d.args.at(-1) ?? d.name, plugin: string = d.name): CorefileError {
  return configError(d, `Wrong argument count or unexpected line ending after '${after}'`, plugin);
}

/** Returns d.args when there are from `min` to `max` of them (default: exactly `min`). */
export function expectArgs(d: Directive, min: number, max: number = min, plugin: string = d.name): readonly string[] {
  if (d.args.length < min) throw argError(d, d.args.at(-1) ?? d.name, plugin);
  if (d.args.length > max) throw argError(d, d.args[max]!, plugin);
  return d.args;
}

/** Throws when `d` has a `{ … }` block (for directives that take none). */
export function expectNoBlock(d: Directive, plugin: string = d.name): void {
  if (d.block !== null) throw configError(d, `'${d.name}' takes no block`, plugin);
}

const UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000,
};
const MAX_DURATION_MS = 9_223_372_036_854.775; // Go's time.Duration: 2^63-1 ns

/**
 * Parses a Go duration (`5s`, `1m30s`, `500ms`, `1.5h`, `-2s`, `0`) into milliseconds (fractional
 * below 1 ms). Throws RangeError with Go's message for anything else (`5`, `1d`, `""`).
 */
export function parseDuration(text: string): number {
  const bad = (why = 'invalid duration'): RangeError => new RangeError(`time: ${why} ${JSON.stringify(text)}`);
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) { sign = s[0] === '-' ? -1 : 1; s = s.slice(1); }
  if (s === '0') return 0;
  if (s === '') throw bad();
  let total = 0;
  while (s !== '') {
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(s)!;
    const whole = m[1]!;
    const frac = m[2];
    if (whole === '' && (frac === undefined || frac === '')) throw bad();
    s = s.slice(m[0].length);
    const u = /^[^0-9.]+/.exec(s);
    if (u === null) throw bad('missing unit in duration');
    const unit = u[0];
    const scale = UNITS[unit];
    if (scale === undefined) throw new RangeError(`time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(text)}`);
    s = s.slice(unit.length);
    total += Number(`${whole === '' ? '0' : whole}.${frac ?? ''}0`) * scale;
  }
  if (total > MAX_DURATION_MS) throw bad();
  return sign * total;
}

/** Parses a decimal integer from `min` to `max` (inclusive). Throws RangeError otherwise. */
export function parseUint(text: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^[0-9]+$/.test(text)) throw new RangeError(`invalid number ${JSON.stringify(text)}`);
  const n = Number(text);
  if (n < min || n > max) throw new RangeError(`number ${text} out of range [${min}, ${max}]`);
  return n;
}

/**
 * Zone arguments (`cluster.local`, `in-addr.arpa`, `10.0.0.0/8`) normalised like server block
 * keys: lower-case, absolute, CIDRs expanded to reverse zones; a scheme or port is accepted and
 * dropped, as CoreDNS's plugin.Host.NormalizeExact does. Throws CorefileError at `d`.
 */
export function zonesFromArgs(texts: readonly string[], d: Directive, plugin: string = d.name): string[] {
  const out: string[] = [];
  for (const t of texts) {
    try {
      for (const z of normalizeZone(stripSchemeAndPort(t))) if (!out.includes(z)) out.push(z);
    } catch (err) {
      if (err instanceof KeyError) throw configError(d, err.message, plugin, { cause: err });
      throw err;
    }
  }
  return out;
}

function stripSchemeAndPort(t: string): string {
  const sep = t.indexOf('://');
  const s = sep === -1 ? t : t.slice(sep + 3);
  const m = /^(.*[^:]):([0-9]+)$/.exec(s);
  // A CIDR never ends in ":digits" (it ends in "/prefix"), so a trailing ":digits" is a port.
  return m !== null ? m[1]! : s;
}

/**
 * A cursor over a directive's arguments, whose errors carry the directive's file and line and the
 * plugin's name (pass `plugin` for a line inside a plugin's block).
 *
 *   const a = new Args(d);
 *   const ttl = a.optional() === undefined ? 5 : a.uint(0, 3600)   // or a.next(), a.rest()
 *   a.end();
 */
export class Args {
  readonly directive: Directive;
  readonly plugin: string;
  #i = 0;

  constructor(d: Directive, plugin: string = d.name) {
    this.directive = d;
    this.plugin = plugin;
  }

  /** Arguments not consumed yet. */
  get remaining(): number { return this.directive.args.length - this.#i; }

  /** The next argument without consuming it. */
  peek(): string | undefined { return this.directive.args[this.#i]; }

  /** The next argument; throws CoreDNS's "Wrong argument count" error when there is none. */
  next(): string {
    const v = this.directive.args[this.#i];
    if (v === undefined) throw argError(this.directive, this.#last(), this.plugin);
    this.#i++;
    return v;
  }

  /** The next argument, or undefined (nothing consumed) when there is none. */
  optional(): string | undefined {
    const v = this.directive.args[this.#i];
    if (v !== undefined) this.#i++;
    return v;
  }

  /** All remaining arguments. */
  rest(): string[] {
    const v = this.directive.args.slice(this.#i);
    this.#i = this.directive.args.length;
    return v;
  }

  /** Throws when arguments are left over. */
  end(): void {
    const extra = this.directive.args[this.#i];
    if (extra !== undefined) throw argError(this.directive, extra, this.plugin);
  }

  /** The next argument as a Go duration in milliseconds. */
  duration(): number { return this.#convert((t) => parseDuration(t)); }

  /** The next argument as an integer in [min, max]. */
  uint(min = 0, max = Number.MAX_SAFE_INTEGER): number { return this.#convert((t) => parseUint(t, min, max)); }

  /** An error at this directive, prefixed with the plugin name. */
  error(message: string): CorefileError { return configError(this.directive, message, this.plugin); }

  /** Cursors over the lines of the directive's block (empty when it has none). */
  children(): Args[] {
    return (this.directive.block ?? []).map((c) => new Args(c, this.plugin));
  }

  #last(): string {
    return this.directive.args[this.#i - 1] ?? this.directive.name;
  }

  #convert<T>(f: (text: string) => T): T {
    const t = this.next();
    try {
      return f(t);
    } catch (err) {
      if (err instanceof RangeError) throw configError(this.directive, err.message, this.plugin, { cause: err });
      throw err;
    }
  }
}
