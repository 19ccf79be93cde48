/**
 * The log stanza (CoreDNS plugin/log/setup.go):
 *
 *   log [NAMES...] [FORMAT] {
 *       class success|denial|error|all ...
 *       minDuration [DURATION]
 *       format text|json          (podns)
 *   }
 *
 * Each NAME is a rule (default "."); the last argument is the FORMAT when there are several and it
 * contains "{". Every `log` line of a block adds its rules to the block's one query logger, the
 * first matching rule deciding, as in CoreDNS where all of a block's `log` lines make one handler.
 */
import type { Directive } from '../../corefile/index.ts';
import { configError, parseDuration } from '../../corefile/index.ts';
import { ConfigError } from '../../core/errors.ts';
import type { PluginDefinition, SetupContext } from '../../core/handler.ts';
import { fqdn, lowerName } from '../../dns/name.ts';
import type { ClassFilter } from './classify.ts';
import { CLASSES } from './classify.ts';
import { COMMON_LOG_FORMAT, expandFormat, parseFormat } from './format.ts';
import type { Segment } from './format.ts';
import { QueryLogger } from './logger.ts';

export type LogOutput = 'text' | 'json';

export interface LogRule {
  /** The names logged: this name and below (lower case, absolute). */
  readonly scope: string;
  /** The format as configured, `{common}`/`{combined}` expanded. */
  readonly format: string;
  readonly segments: readonly Segment[];
  /** Empty means all. */
  readonly classes: ReadonlySet<Exclude<ClassFilter, 'all'>>;
  /** Also log replies slower than this (ns), whatever their class; 0 = off. */
  readonly minDurationNs: number;
  readonly output: LogOutput;
}

export interface LogOptions { readonly rules: readonly LogRule[] }

/** CoreDNS DefaultMinDuration, for `minDuration` without an argument. */
export const DEFAULT_MIN_DURATION = '100ms';

function argErr(o: Directive): Error {
  return configError(o, `Wrong argument count or unexpected line ending after '${o.name}'`, 'log');
}

export function parseLog(d: Directive): LogOptions {
  let names: string[] = [...d.args];
  let format = COMMON_LOG_FORMAT;
  // CoreDNS reads a lone argument as a name even when it is a format (and then logs nothing);
  // podns takes an argument containing "{" as the format wherever it is last.
  const last = names.at(-1);
  if (last !== undefined && last.includes('{')) {
    format = expandFormat(last);
    names = names.slice(0, -1);
  }
  if (names.length === 0) names = ['.'];
  const classes = new Set<Exclude<ClassFilter, 'all'>>();
  let all = false;
  let minDurationNs = 0;
  let output: LogOutput = 'text';
  for (const o of d.block ?? []) {
    switch (o.name) {
      case 'class': {
        if (o.args.length === 0) throw argErr(o);
        for (const c of o.args) {
          if (!(CLASSES as readonly string[]).includes(c)) throw new ConfigError(o.file, o.line, `plugin/log: invalid Class: ${c}`);
          if (c === 'all') all = true;
          else classes.add(c as Exclude<ClassFilter, 'all'>);
        }
        break;
      }
      case 'minDuration': {
        if (o.args.length > 1) throw argErr(o);
        const text = o.args[0] ?? DEFAULT_MIN_DURATION;
        try {
          minDurationNs = Math.round(parseDuration(text) * 1e6);
        } catch {
          throw configError(o, `Illegal duration found: '${text}'`, 'log');
        }
        break;
      }
      case 'format': {
        if (o.args.length !== 1) throw argErr(o);
        const f = o.args[0]!;
        if (f !== 'text' && f !== 'json') throw configError(o, `unknown output format '${f}', want text or json`, 'log');
        output = f;
        break;
      }
      default:
        throw argErr(o);
    }
  }
  if (all) classes.clear();
  const segments = parseFormat(format);
  return {
    rules: names.map((n) => ({ scope: lowerName(fqdn(n)), format, segments, classes, minDurationNs, output })),
  };
}

/** The query logger of each block, so that a block's several `log` lines share it. */
const loggers = new WeakMap<SetupContext, QueryLogger>();

export function setupLog(options: LogOptions, ctx: SetupContext): null {
  let logger = loggers.get(ctx);
  if (logger === undefined) {
    const l = new QueryLogger(ctx.log);
    loggers.set(ctx, (logger = l));
    ctx.observe((e) => l.observe(e));
  }
  logger.add(options.rules);
  return null;
}

export const logPlugin: PluginDefinition<LogOptions> = {
  name: 'log',
  parse: parseLog,
  setup: setupLog,
};
