/**
 * The machinery shared by the three resolver engines. Each engine is a generator that reads like
 * the C (or Go) it models: it `yield`s commands — send this query, wait for a reply, note this
 * rule — and gets the replies back. The runtime here turns that into the driver-facing
 * `next()` / `reply()` state machine of plan.ts.
 *
 * Delivery rule for timeouts: a reply that arrived is handed to the engine before any timeout, and
 * a timeout is handed over only once every query the engine waits on has an outcome. That is what
 * a deadline means — nothing else can arrive before it — and it lets an in-process driver answer
 * every query at once without changing what the resolver does next.
 */
import type { Candidate, Outcome, Query, Result, TraceEvent } from './types.ts';

/** What an engine asks for when it sends a query (the runtime fills in the id). */
export type QuerySpec = Omit<Query, 'kind' | 'id' | 'malformed'> & { readonly malformed?: boolean };

export type Command =
  | { readonly op: 'send'; readonly query: QuerySpec }
  | { readonly op: 'wait'; readonly on: readonly number[] }
  | { readonly op: 'note'; readonly text: string; readonly source: string }
  | { readonly op: 'candidate'; readonly candidate: Candidate };

/** The answer to a `send` (the query as sent) or a `wait` (a reply). */
export type Resume = { readonly sent: Query } | { readonly query: Query; readonly outcome: Outcome };

export type Engine = Generator<Command, Result, Resume>;

/** Engine helpers: `const q = yield* send(spec)`, `const r = yield* wait([q])`. */
export function* send(spec: QuerySpec): Generator<Command, Query, Resume> {
  const r = yield { op: 'send', query: spec };
  if (!('sent' in r)) throw new Error('internal: send resumed with a reply');
  return r.sent;
}

export function* wait(on: readonly Query[]): Generator<Command, { query: Query; outcome: Outcome }, Resume> {
  const r = yield { op: 'wait', on: on.map((q) => q.id) };
  if (!('outcome' in r)) throw new Error('internal: wait resumed without a reply');
  return r;
}

export function* note(text: string, source: string): Generator<Command, void, Resume> {
  yield { op: 'note', text, source };
}

export function* candidate(c: Candidate): Generator<Command, void, Resume> {
  yield { op: 'candidate', candidate: c };
}

/** An answer with no address is a NODATA reply as far as the resolvers are concerned. */
export function normalize(o: Outcome): Outcome {
  return o.kind === 'answer' && o.addresses.length === 0 ? { kind: 'nodata' } : o;
}

/** Runs an engine for a driver: next() / reply(). */
export class Runtime {
  readonly sent: Query[] = [];
  readonly trace: TraceEvent[] = [];
  readonly candidates: Candidate[] = [];
  private readonly engine: Engine;
  private started = false;
  private result: Result | null = null;
  private waitingOn: number[] | null = null;
  /** Outcomes the driver gave and the engine has not seen yet, in arrival order. */
  private readonly inbox: Array<{ id: number; outcome: Outcome }> = [];
  /** Queries the engine sent and has not yet been given an outcome for. */
  private readonly open = new Set<number>();
  private pendingResume: Resume | undefined;

  constructor(engine: Engine, initial: Result | null = null) {
    this.engine = engine;
    if (initial !== null) this.finish(initial);
  }

  private finish(result: Result): void {
    this.result = result;
    this.trace.push({ kind: 'done', result });
  }

  next(): Query | { kind: 'wait'; pending: Query[] } | { kind: 'done'; result: Result } {
    for (;;) {
      if (this.result !== null) return { kind: 'done', result: this.result };
      let resume: Resume | undefined = this.pendingResume;
      this.pendingResume = undefined;
      if (this.waitingOn !== null) {
        const delivery = this.deliverable(this.waitingOn);
        if (delivery === null) {
          const replied = new Set(this.inbox.map((m) => m.id));
          return { kind: 'wait', pending: this.waitingOn.filter((id) => !replied.has(id)).map((id) => this.sent[id]!) };
        }
        this.waitingOn = null;
        const query = this.sent[delivery.id]!;
        this.open.delete(delivery.id);
        this.trace.push({ kind: 'reply', query, outcome: delivery.outcome });
        resume = { query, outcome: normalize(delivery.outcome) };
      }
      const step = this.started ? this.engine.next(resume!) : this.engine.next(undefined as unknown as Resume);
      this.started = true;
      if (step.done) { this.finish(step.value); continue; }
      const cmd = step.value;
      switch (cmd.op) {
        case 'note':
          this.trace.push({ kind: 'note', text: cmd.text, source: cmd.source });
          this.pendingResume = { sent: undefined as unknown as Query };
          break;
        case 'candidate':
          this.candidates.push(cmd.candidate);
          this.trace.push({ kind: 'candidate', index: this.candidates.length - 1, name: cmd.candidate.name });
          this.pendingResume = { sent: undefined as unknown as Query };
          break;
        case 'send': {
          const q: Query = { kind: 'query', id: this.sent.length, malformed: false, ...cmd.query };
          this.sent.push(q);
          this.open.add(q.id);
          this.trace.push({ kind: 'send', query: q });
          this.pendingResume = { sent: q };
          return q;
        }
        case 'wait':
          if (cmd.on.length === 0) throw new Error('internal: an engine waited on no query');
          this.waitingOn = [...cmd.on];
          break;
      }
    }
  }

  /** The next outcome to hand over for a wait on `ids`, or null when the driver must reply first. */
  private deliverable(ids: readonly number[]): { id: number; outcome: Outcome } | null {
    const wanted = new Set(ids);
    const real = this.inbox.findIndex((m) => wanted.has(m.id) && m.outcome.kind !== 'timeout');
    if (real >= 0) return this.inbox.splice(real, 1)[0]!;
    const have = new Set(this.inbox.filter((m) => wanted.has(m.id)).map((m) => m.id));
    if (ids.some((id) => !have.has(id))) return null;
    const first = Math.min(...ids);
    const at = this.inbox.findIndex((m) => m.id === first);
    return this.inbox.splice(at, 1)[0]!;
  }

  reply(query: Query | number, outcome: Outcome): void {
    const id = typeof query === 'number' ? query : query.id;
    if (this.sent[id] === undefined) throw new RangeError(`no query ${id} was sent`);
    if (this.inbox.some((m) => m.id === id)) throw new Error(`query ${id} already has a reply`);
    // A reply to a query the resolver no longer waits for (it moved on) is dropped, as a
    // closed socket drops it.
    if (!this.open.has(id)) return;
    this.inbox.push({ id, outcome });
  }
}
