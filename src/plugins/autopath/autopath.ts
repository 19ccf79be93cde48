/**
 * The autopath handler (CoreDNS plugin/autopath/autopath.go and cname.go): server-side search path
 * completion. When the query is under the first element of the client's search path, the rest of
 * the chain is asked `base.<element>` for each element in turn and the first reply that is not
 * NXDOMAIN is returned, behind a CNAME from the name asked to the name found. All NXDOMAIN: the
 * first reply goes back unchanged and the client walks its own list.
 *
 * Answer-cache discipline: a reply that autopath synthesised depends on who asked (the search path
 * comes from the client's IP) and on every step's source, so it is never cacheable; and when
 * autopath does not apply but the reply is NXDOMAIN for a name some other client could autopath,
 * the reply is marked uncacheable too, so that those same query bytes from a pod still get the walk.
 */
import type { Handler } from '../../core/handler.ts';
import { nextOrFailure } from '../../core/handler.ts';
import type { Request } from '../../core/request.ts';
import type { ResponseWriter } from '../../core/writer.ts';
import { Recorder } from '../../core/writer.ts';
import { MAX_NAME_LENGTH, inZones, isSubdomain, nameEquals, nameWireLength } from '../../dns/name.ts';
import type { Message, ResourceRecord } from '../../dns/types.ts';
import { RRClass, RRType, Rcode } from '../../dns/types.ts';
import { autopathSuccess } from './metrics.ts';

/** Where the search path of a request comes from (a static list, or a plugin's AutoPather). */
export interface SearchSource {
  searchPath(req: Request): readonly string[] | null;
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
    await this.#walk(req, w, path, first);
  }

  async #walk(req: Request, w: ResponseWriter, path: readonly string[], first: string): Promise<void> {
    // The name as the client spelled it, minus the first element (same length in any case).
    const base = req.qname.slice(0, req.qname.length - first.length - 1);
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
        return;
      }
      w.write(cnamer(m, req), this.name);
      w.uncacheable();
      return;
    }
    // Every step was NXDOMAIN: the first reply as it was; the client goes on with its own list.
    const m = firstReply?.written ?? null;
    if (m !== null) w.write(m, firstReply!.writtenBy ?? this.name);
    w.uncacheable();
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
