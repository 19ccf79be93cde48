/**
 * The autopath handler (CoreDNS plugin/autopath/autopath.go and cname.go): server-side search path
 * completion. When the query is under the first element of the client's search path, the rest of
 * the chain is asked `base.<element>` for each element in turn and the first reply that is not
 * NXDOMAIN is returned, behind a CNAME from the name asked to the name found. All NXDOMAIN: the
 * first reply goes back unchanged and the client walks its own list.
 *
 * Answer-cache discipline: a reply that autopath synthesised depends on who asked (the search path
 * comes from the client's IP) and on every step's source: it is replayed from the answer cache
 * only to clients with the same search path (ClientKey: the pod's namespace), and only while the
 * path's source and every step's source are unchanged and the found answer's TTL lasts
 * (#replayable). When autopath does not apply but the reply is NXDOMAIN for a name some other
 * client could autopath, the reply is marked uncacheable, so that those same query bytes from a pod
 * still get the walk.
 */
import type { Handler } from '../../core/handler.ts';
import { nextOrFailure } from '../../core/handler.ts';
import type { Request } from '../../core/request.ts';
import type { ClientKey, Countdown, ResponseWriter, Versioned } from '../../core/writer.ts';
import { Recorder } from '../../core/writer.ts';
import { MAX_NAME_LENGTH, inZones, isSubdomain, nameEquals, nameWireLength } from '../../dns/name.ts';
import type { Message, ResourceRecord } from '../../dns/types.ts';
import { RRClass, RRType, Rcode } from '../../dns/types.ts';
import { autopathSuccess } from './metrics.ts';

/** Where the search path of a request comes from (a static list, or a plugin's AutoPather). */
export interface SearchSource {
  searchPath(req: Request): readonly string[] | null;
  /** For a per-client path: what it depends on, and a source whose revision moves when that could change (AutoPather). */
  readonly clientKey?: ClientKey;
  readonly source?: Versioned;
}

/** Filled in at startup: the search source is only known once every plugin of the block is set up. */
export interface SourceCell { source: SearchSource | null }

/**
 * The plugin that answers AAAA with a synthetic NODATA (podns's filter_aaaa). Such a reply says
 * nothing about whether the name exists, so during a walk autopath asks the name's A instead to
 * decide whether to stop: the AAAA walk then ends where the A walk ends.
 */
const FILTER_AAAA = 'filter_aaaa';

export class AutopathHandler implements Handler {
  readonly name = 'autopath';
  readonly #next: Handler;
  readonly #zones: readonly string[];
  readonly #cell: SourceCell;
  /** The search path depends on the client (`@kubernetes`), not a fixed list. */
  readonly #perClient: boolean;

  constructor(next: Handler, zones: readonly string[], cell: SourceCell, perClient: boolean) {
    this.#next = next;
    this.#zones = zones;
    this.#cell = cell;
    this.#perClient = perClient;
  }

  async serveDNS(req: Request, w: ResponseWriter): Promise<void> {
    if (!inZones(req.lname, this.#zones)) return nextOrFailure(this.name, this.#next, req, w);
    const source = this.#cell.source;
    const path = source === null ? null : source.searchPath(req);
    const first = path?.[0];
    // CoreDNS would also walk when the name IS the first element (and fail: its TrimZone overshoots,
    // a SERVFAIL); a client's own search never produces that name, so it is passed on untouched.
    if (path === null || path === undefined || first === undefined || first === '' || req.lname === first || !isSubdomain(req.lname, first)) {
      await nextOrFailure(this.name, this.#next, req, w);
      if (this.#perClient && w.written !== null && w.written.rcode === Rcode.NXDOMAIN && mayAutopath(req.lname)) w.uncacheable();
      return;
    }
    await this.#walk(req, w, path, first, source!);
  }

  async #walk(req: Request, w: ResponseWriter, path: readonly string[], first: string, source: SearchSource): Promise<void> {
    // The name as the client spelled it, minus the first element (same length in any case).
    const base = req.qname.slice(0, req.qname.length - first.length - 1);
    // Read before any step: a replay is valid only while nothing the path came from has moved.
    const pathRevision = source.source?.revision ?? 0;
    const steps: Recorder[] = [];
    let firstReply: Recorder | null = null;
    for (let i = 0; i < path.length; i++) {
      let step = req;
      if (i > 0) {
        const s = path[i]!;
        const name = s === '' || s === '.' ? `${base}.` : `${base}.${s}`;
        // A name the client's resolver could not send either: nothing to ask.
        if (nameWireLength(name) > MAX_NAME_LENGTH) continue;
        step = req.withQuestion(name, req.qtype);
      }
      const rec = new Recorder();
      steps.push(rec);
      // An error from the rest of the chain aborts the walk (CoreDNS returns it as is).
      await nextOrFailure(this.name, this.#next, step, rec);
      if (i === 0) firstReply = rec;
      const m = rec.written;
      if (m === null || m.rcode === Rcode.NXDOMAIN) continue;
      let probed = false;
      if (req.qtype === RRType.AAAA && rec.writtenBy === FILTER_AAAA) {
        probed = true;
        const probe = new Recorder();
        await nextOrFailure(this.name, this.#next, req.withQuestion(step.qname, RRType.A), probe);
        if (probe.written === null || probe.written.rcode === Rcode.NXDOMAIN) continue;
      }
      autopathSuccess.inc({ server: req.server });
      if (i === 0) {
        // Found as asked: the reply any client gets for these bytes, cacheable as the plugin said.
        w.write(m, rec.writtenBy ?? this.name);
        if (!probed && rec.cacheSource !== null && rec.cacheSource.revision === rec.cacheRevision) w.cacheable(rec.cacheSource);
        else w.uncacheable();
        // A reply that holds only for some clients (acl's, after autopath) still does.
        if (rec.vary !== null) w.varies(rec.vary, rec.varyValue);
        return;
      }
      w.write(cnamer(m, req), this.name);
      if (probed || !this.#replayable(w, req, steps, source, pathRevision)) w.uncacheable();
      return;
    }
    // Every step was NXDOMAIN (or dropped, by acl): the first reply as it was; the client goes on
    // with its own list.
    const m = firstReply?.written ?? null;
    if (m !== null) w.write(m, firstReply!.writtenBy ?? this.name);
    else if (firstReply?.dropped === true) w.drop(firstReply.writtenBy ?? this.name);
    w.uncacheable();
  }

  /**
   * Declares a reply found at a later step replayable from the answer cache, for the clients with
   * the asker's search path only, while every step's answer and the path itself stay as they were:
   * each step must have been cacheable (the cluster's answers, under a Versioned source) or
   * replayable (the cache plugin's hits, whose TTL counts down; the found answer's TTL becomes the
   * reply's). Each replay counts as an autopath success, as a walk would. False when that cannot
   * be promised.
   */
  #replayable(w: ResponseWriter, req: Request, steps: readonly Recorder[], source: SearchSource, pathRevision: number): boolean {
    const key = source.clientKey;
    if (this.#perClient && (key === undefined || source.source === undefined)) return false;
    const sources: Array<{ source: Versioned; revision: number }> = [];
    if (source.source !== undefined) sources.push({ source: source.source, revision: pathRevision });
    // Steps answered from the cache plugin (a forwarded NXDOMAIN under a host search domain, the
    // found name) count down; each is replayed as the walk would have hit it.
    const countdowns: Countdown[] = [];
    for (const rec of steps) {
      if (rec.noCache || rec.vary !== null) return false;
      if (rec.cacheSource !== null) sources.push({ source: rec.cacheSource, revision: rec.cacheRevision });
      else if (rec.countdown !== null) countdowns.push(rec.countdown);
      else return false;
    }
    for (const x of sources) if (x.source.revision !== x.revision) return false;
    const all: Versioned = { get revision() { let sum = 0; for (const x of sources) sum += x.source.revision; return sum; } };
    const last = steps[steps.length - 1]!;
    const server = req.server;
    // The TTL every record carries: the found answer's countdown when it has one, else the TTL the
    // reply was written with (the answer cache stores it only if all records agree).
    const fixed = w.written?.answers[0]?.ttl ?? 0;
    const countdown: Countdown = {
      replay: (): number => {
        let ttl = fixed;
        for (const c of countdowns) {
          const t = c.replay();
          if (t < 0) return -1;
          if (c === last.countdown) ttl = t;
        }
        autopathSuccess.inc({ server });
        return ttl;
      },
    };
    w.cacheable(all);
    w.replayable(countdown);
    if (key !== undefined) w.varies(key, key.of(req.client));
    return true;
  }
}

/**
 * `asked CNAME <owner of the first answer not owned by the name asked>` in front of the answers,
 * with that record's TTL, and the question put back as asked (CoreDNS cname.go).
 */
export function cnamer(m: Message, req: Request): Message {
  const orig = req.qname;
  let answers: readonly ResourceRecord[] = m.answers;
  for (const a of m.answers) {
    if (nameEquals(a.name, orig)) continue;
    const cname: ResourceRecord = { name: orig, type: RRType.CNAME, class: RRClass.IN, ttl: a.ttl, data: a.name };
    answers = [cname, ...m.answers];
    break;
  }
  return { ...m, questions: req.msg.questions.slice(0, 1), answers };
}

/**
 * Whether some client could get a search path whose first element holds `lname`: the kubernetes
 * AutoPather's first element is always `<namespace>.svc.<zone>`, so the name must have a `svc`
 * label below another one. A superset (any zone), so never wrong, only sometimes too careful.
 */
export function mayAutopath(lname: string): boolean {
  return lname.indexOf('.svc.') > 0;
}
