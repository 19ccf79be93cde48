/**
 * The errors stanza (CoreDNS plugin/errors/setup.go):
 *
 *   errors [stdout] {
 *       stacktrace
 *       consolidate DURATION REGEXP [LEVEL] [show_first]
 *   }
 *
 * Once per server block. LEVEL is warning, error (default), info or debug.
 */
import type { Directive } from '../../corefile/index.ts';
import { argError, configError, parseDuration } from '../../corefile/index.ts';
import type { PluginDefinition, PluginFactory, SetupContext } from '../../core/handler.ts';
import { ErrorLog, ErrorsHandler } from './errors.ts';
import type { Consolidate, ErrorsOptions, LogLevel } from './errors.ts';

/** CoreDNS refuses longer consolidate patterns. */
export const MAX_REGEXP_LENGTH = 10000;

const LEVELS: readonly LogLevel[] = ['warning', 'error', 'info', 'debug'];

/**
 * A Go (RE2) pattern as a JavaScript RegExp. RE2 and JavaScript agree on the patterns people
 * write here (anchors, classes, alternation, repetition); a leading `(?i)` becomes the i flag.
 */
export function compilePattern(source: string): RegExp {
  const ci = source.startsWith('(?i)');
  return new RegExp(ci ? source.slice(4) : source, ci ? 'i' : '');
}

function parseConsolidate(o: Directive): Consolidate {
  let args = [...o.args];
  if (args.length < 2 || args.length > 4) throw argError(o, undefined, 'errors');
  let showFirst = false;
  if (args.length > 2 && args.at(-1) === 'show_first') {
    showFirst = true;
    args = args.slice(0, -1);
  }
  if (args.length > 3) throw argError(o, undefined, 'errors');
  const [period, source, level] = args as [string, string, string | undefined];
  let periodMs: number;
  try {
    periodMs = parseDuration(period);
  } catch (err) {
    throw configError(o, (err as Error).message, 'errors');
  }
  if (source.length > MAX_REGEXP_LENGTH) throw configError(o, `regexp is longer than ${MAX_REGEXP_LENGTH} characters`, 'errors');
  let pattern: RegExp;
  try {
    pattern = compilePattern(source);
  } catch (err) {
    throw configError(o, `error parsing regexp: ${(err as Error).message}`, 'errors');
  }
  if (level !== undefined && !(LEVELS as readonly string[]).includes(level)) {
    throw configError(o, `unknown log level argument in consolidate: ${level}`, 'errors');
  }
  return { periodMs, pattern, source, level: (level as LogLevel | undefined) ?? 'error', showFirst };
}

export function parseErrors(d: Directive): ErrorsOptions {
  if (d.args.length > 1) throw configError(d, `Wrong argument count or unexpected line ending after '${d.args.at(-1)!}'`, 'errors');
  if (d.args.length === 1 && d.args[0] !== 'stdout') throw configError(d, `invalid log file: ${d.args[0]!}`, 'errors');
  let stacktrace = false;
  const consolidate: Consolidate[] = [];
  for (const o of d.block ?? []) {
    switch (o.name) {
      case 'stacktrace':
      case 'panicRecoveryStacktrace': // its former name in CoreDNS
        stacktrace = true;
        break;
      case 'consolidate':
        consolidate.push(parseConsolidate(o));
        break;
      default:
        throw configError(o, `Syntax error: Unexpected token '${o.name}', expecting 'Unknown field ${o.name}'`, 'errors');
    }
  }
  return { stacktrace, consolidate };
}

export function setupErrors(options: ErrorsOptions, ctx: SetupContext): PluginFactory {
  const errors = new ErrorLog(options, ctx.log.plugin('errors'));
  ctx.onShutdown(() => errors.stop());
  return (next) => new ErrorsHandler(next, errors);
}

export const errorsPlugin: PluginDefinition<ErrorsOptions> = {
  name: 'errors',
  once: true,
  parse: parseErrors,
  setup: setupErrors,
};
