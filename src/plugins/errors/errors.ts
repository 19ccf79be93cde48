/**
 * The errors handler (CoreDNS plugin/errors/errors.go): wraps the rest of the chain; when it
 * fails, logs `[ERROR] plugin/errors: RCODE QNAME QTYPE: MESSAGE` and rethrows, so the server
 * still answers with the error's rcode (SERVFAIL unless a DnsError says otherwise). Errors
 * matching a `consolidate` pattern are counted instead and summarised once per period:
 * `N errors like 'REGEXP' occurred in last DURATION`.
 */
import { DnsError } from '../../core/errors.ts';
import type { Handler } from '../../core/handler.ts';
import { nextOrFailure } from '../../core/handler.ts';
import type { Logger } from '../../core/log.ts';
import type { Request } from '../../core/request.ts';
import type { ResponseWriter } from '../../core/writer.ts';
import { Rcode, typeName } from '../../dns/types.ts';
import { goDurationMs } from '../../corefile/index.ts';

export type LogLevel = 'error' | 'warning' | 'info' | 'debug';

export interface Consolidate {
  readonly periodMs: number;
  readonly pattern: RegExp;
  /** The REGEXP as written, for the summary line. */
  readonly source: string;
  readonly level: LogLevel;
  /** Log the first matching error in full when it happens (CoreDNS show_first). */
  readonly showFirst: boolean;
}

export interface ErrorsOptions {
  /** Log the stack of errors that are not DnsErrors (podns's equivalent of a recovered panic). */
  readonly stacktrace: boolean;
  readonly consolidate: readonly Consolidate[];
}

/** Timers as the handler uses them, replaceable in tests. */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms).unref(),
  clear: (h) => clearTimeout(h as NodeJS.Timeout),
};

interface PatternState { count: number; timer: unknown }

/** The consolidation counters of one block, shared by the handler and the shutdown hook. */
export class ErrorLog {
  readonly #options: ErrorsOptions;
  readonly #log: Logger;
  readonly #timers: Timers;
  readonly #state: PatternState[];
  #stopped = false;

  constructor(options: ErrorsOptions, log: Logger, timers: Timers = realTimers) {
    this.#options = options;
    this.#log = log;
    this.#timers = timers;
    this.#state = options.consolidate.map(() => ({ count: 0, timer: null }));
  }

  /** Logs (or counts) a failure of the chain for `req`. */
  report(req: Request, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    const rcode = err instanceof DnsError ? err.rcode : Rcode.SERVFAIL;
    const line = `${rcode} ${req.lname} ${typeName(req.qtype)}: ${message}`;
    const patterns = this.#options.consolidate;
    for (let i = 0; i < patterns.length; i++) {
      if (!patterns[i]!.pattern.test(message)) continue;
      if (this.#count(i, line)) return;
      break;
    }
    this.#log.error(line);
    if (this.#options.stacktrace && !(err instanceof DnsError) && err instanceof Error && err.stack !== undefined) {
      this.#log.error(err.stack);
    }
  }

  /** CoreDNS errorHandler.inc: false once stopped (the error is then logged in full). */
  #count(i: number, line: string): boolean {
    if (this.#stopped) return false;
    const st = this.#state[i]!;
    const rule = this.#options.consolidate[i]!;
    st.count++;
    if (st.count === 1) {
      if (rule.showFirst) this.#at(rule.level, line);
      st.timer = this.#timers.set(() => this.#flush(i), rule.periodMs);
    }
    return true;
  }

  #flush(i: number): void {
    const st = this.#state[i]!;
    const rule = this.#options.consolidate[i]!;
    const n = st.count;
    st.count = 0;
    st.timer = null;
    if (n === 0 || (rule.showFirst && n === 1)) return;
    this.#at(rule.level, `${n} errors like '${rule.source}' occurred in last ${goDurationMs(rule.periodMs)}`);
  }

  #at(level: LogLevel, message: string): void {
    switch (level) {
      case 'error': this.#log.error(message); break;
      case 'warning': this.#log.warn(message); break;
      case 'info': this.#log.info(message); break;
      case 'debug': break; // printed only with CoreDNS's debug plugin, which podns does not have
    }
  }

  /** Stops counting and prints the pending summaries now (CoreDNS errorHandler.stop, on shutdown). */
  stop(): void {
    this.#stopped = true;
    this.#state.forEach((st, i) => {
      if (st.timer === null) return;
      this.#timers.clear(st.timer);
      this.#flush(i);
    });
  }
}

export class ErrorsHandler implements Handler {
  readonly name = 'errors';
  readonly #next: Handler;
  readonly #errors: ErrorLog;

  constructor(next: Handler, errors: ErrorLog) {
    this.#next = next;
    this.#errors = errors;
  }

  async serveDNS(req: Request, w: ResponseWriter): Promise<void> {
    try {
      await nextOrFailure(this.name, this.#next, req, w);
    } catch (err) {
      this.#errors.report(req, err);
      throw err;
    }
  }
}
