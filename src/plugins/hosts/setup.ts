/**
 * The hosts stanza (CoreDNS plugin/hosts/setup.go), parsed into options with every default
 * resolved:
 *
 *   hosts [FILE [ZONES...]] {
 *       [INLINE...]             lines in hosts-file format, only before `fallthrough`
 *       ttl SECONDS             1..65535, default 3600
 *       no_reverse              no PTR records
 *       reload DURATION         default 5s, 0 disables
 *       fallthrough [ZONES...]
 *       fallthrough_unsupported also pass other query types for known names (needs fallthrough)
 *   }
 *
 * Pure: the file is looked at in setup, not here. Inline lines are parsed here, against the
 * plugin's zones, exactly like file lines.
 */
import type { Directive } from '../../corefile/index.ts';
import { CorefileError, parseDuration, zonesFromArgs } from '../../corefile/index.ts';
import { ConfigError } from '../../core/errors.ts';
import type { HostsMap } from './hostsfile.ts';
import { parseHostsText } from './hostsfile.ts';

export interface HostsOptions {
  /** The hosts file, as written (relative paths are relative to the working directory). */
  readonly path: string;
  /** The zones answered for (lower-case, absolute); the block's zones when none are written. */
  readonly origins: readonly string[];
  readonly ttl: number;
  readonly autoReverse: boolean;
  /** Re-read interval in ms; 0 disables re-reading. */
  readonly reloadMs: number;
  /** Zones that fall through to the next plugin; null without `fallthrough`, ['.'] for all. */
  readonly fallthrough: readonly string[] | null;
  /** Unsupported query types for known names go to the next plugin too (within `fallthrough`). */
  readonly fallthroughUnsupported: boolean;
  /** The inline entries, parsed. */
  readonly inline: HostsMap;
  /** The inline lines as written, joined by spaces (for tests and diagnostics). */
  readonly inlineLines: readonly string[];
  /** Where the directive is, for errors setup finds (an inaccessible file). */
  readonly file: string;
  readonly line: number;
}

export const DEFAULT_PATH = '/etc/hosts';
export const DEFAULT_TTL = 3600;
export const DEFAULT_RELOAD_MS = 5000;

function fail(d: Directive, message: string): ConfigError {
  return new ConfigError(d.file, d.line, `plugin/hosts: ${message}`);
}

function zones(texts: readonly string[], d: Directive): string[] {
  try {
    return zonesFromArgs(texts, d, 'hosts');
  } catch (err) {
    if (err instanceof CorefileError) throw new ConfigError(d.file, d.line, err.reason);
    throw err;
  }
}

export function parseHosts(d: Directive, blockZones: readonly string[]): HostsOptions {
  const path = d.args[0] ?? DEFAULT_PATH;
  const origins = d.args.length > 1 ? zones(d.args.slice(1), d) : [...blockZones];
  let ttl = DEFAULT_TTL;
  let autoReverse = true;
  let reloadMs = DEFAULT_RELOAD_MS;
  let fallthrough: string[] | null = null;
  let fallthroughUnsupported = false;
  const inlineLines: string[] = [];
  for (const o of d.block ?? []) {
    if (o.block !== null) throw fail(o, `unexpected block after '${o.name}'`);
    switch (o.name) {
      case 'fallthrough':
        fallthrough = o.args.length === 0 ? ['.'] : zones(o.args, o);
        break;
      case 'fallthrough_unsupported':
        if (o.args.length > 0) throw fail(o, `Wrong argument count or unexpected line ending after '${o.args[0]}'`);
        fallthroughUnsupported = true;
        break;
      case 'no_reverse':
        autoReverse = false;
        break;
      case 'ttl': {
        const t = o.args[0];
        if (t === undefined) throw fail(o, 'ttl needs a time in second');
        // Go's strconv.Atoi: optional sign, decimal digits.
        if (!/^[+-]?[0-9]+$/.test(t)) throw fail(o, 'ttl needs a number of second');
        const n = Number(t);
        if (n <= 0 || n > 65535) throw fail(o, 'ttl provided is invalid');
        ttl = n;
        break;
      }
      case 'reload': {
        if (o.args.length !== 1) throw fail(o, 'reload needs a duration (zero seconds to disable)');
        const text = o.args[0]!;
        let ms: number;
        try {
          ms = parseDuration(text);
        } catch {
          throw fail(o, `invalid duration for reload '${text}'`);
        }
        if (ms < 0) throw fail(o, `invalid negative duration for reload '${text}'`);
        reloadMs = ms;
        break;
      }
      default:
        // CoreDNS: any other line is an inline hosts entry, but only before `fallthrough`.
        if (fallthrough !== null) throw fail(o, `unknown property '${o.name}'`);
        inlineLines.push([o.name, ...o.args].join(' '));
    }
  }
  if (fallthroughUnsupported && fallthrough === null) {
    throw fail(d, 'fallthrough_unsupported requires fallthrough');
  }
  return {
    path, origins, ttl, autoReverse, reloadMs, fallthrough, fallthroughUnsupported,
    inline: parseHostsText(inlineLines.join('\n'), origins, autoReverse),
    inlineLines,
    file: d.file,
    line: d.line,
  };
}
