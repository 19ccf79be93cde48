/**
 * The check that every server answers the same thing: questions are sent with dig (one dig
 * process in batch mode per server, no EDNS, as dnsperf sends them), and each reply's rcode and
 * answer RRset (order-insensitive) are compared with what the zone files say (ZoneSet) and
 * across servers. run.ts aborts on any difference; test/bench/generate.test.ts runs a small one.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Question } from './generate.ts';
import { parseRecordLine, recordLine } from './zone.ts';
import type { ZoneSet } from './zone.ts';

export interface Reply {
  readonly rcode: string;
  /** Answer records as `name ttl IN type rdata`, sorted; TTL 0 when TTLs are not compared. */
  readonly answers: readonly string[];
}

export function key(q: Question): string {
  return `${q.name} ${q.type}`;
}

function normalise(lines: readonly string[], withTtl: boolean): string[] {
  return lines.map((l) => {
    const r = parseRecordLine(l);
    return recordLine({ ...r, ttl: withTtl ? r.ttl : 0 });
  }).sort();
}

/** Parses `dig +noall +comments +question +answer` output for several questions. */
export function parseDigBatch(out: string, withTtl: boolean): Map<string, Reply> {
  const replies = new Map<string, Reply>();
  let rcode = '';
  let question = '';
  let answers: string[] = [];
  let inAnswer = false;
  const flush = (): void => {
    if (question !== '') replies.set(question, { rcode, answers: normalise(answers, withTtl) });
    rcode = ''; question = ''; answers = []; inAnswer = false;
  };
  for (const line of out.split('\n')) {
    if (line.startsWith(';; Got answer:')) { flush(); continue; }
    const status = /^;; ->>HEADER<<- .*status: ([A-Z]+)/.exec(line);
    if (status) { rcode = status[1]!; continue; }
    if (line.startsWith(';; ANSWER SECTION:')) { inAnswer = true; continue; }
    if (line.trim() === '') { inAnswer = false; continue; }
    if (line.startsWith(';') && !line.startsWith(';;')) {
      const f = line.slice(1).trim().split(/\s+/);
      question = `${f[0]!.toLowerCase()} ${f[2]}`;
      continue;
    }
    if (inAnswer && !line.startsWith(';')) answers.push(line);
  }
  flush();
  return replies;
}

/** Asks 127.0.0.1:port every question with one dig process; a question without a reply is absent from the map. */
export async function digBatch(port: number, questions: readonly Question[], withTtl: boolean): Promise<Map<string, Reply>> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-dig-'));
  try {
    const batch = join(dir, 'batch');
    writeFileSync(batch, questions.map((q) => `${q.name} ${q.type}\n`).join(''));
    const args = ['@127.0.0.1', '-p', String(port), '+noedns', '+tries=2', '+time=2', '+noall', '+comments', '+question', '+answer', '-f', batch];
    const out = await new Promise<string>((resolve, reject) => {
      execFile('dig', args, { maxBuffer: 256 * 1024 * 1024, timeout: 120_000 }, (err, stdout, stderr) => {
        if (err !== null && stdout === '') reject(new Error(`dig: ${err.message}\n${stderr}`));
        else resolve(stdout);
      });
    });
    return parseDigBatch(out, withTtl);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What the zone files say the reply to `q` is. */
export function expectedReply(zones: ZoneSet, q: Question, withTtl: boolean): Reply {
  const a = zones.lookup(q.name, q.type);
  return { rcode: a.rcode, answers: normalise(a.answers.map(recordLine), withTtl) };
}

export function sameReply(a: Reply | undefined, b: Reply | undefined): boolean {
  return a !== undefined && b !== undefined && a.rcode === b.rcode && a.answers.length === b.answers.length && a.answers.every((x, i) => x === b.answers[i]);
}

export function showReply(r: Reply | undefined): string {
  if (r === undefined) return '(no reply)';
  return r.answers.length === 0 ? r.rcode : `${r.rcode}: ${r.answers.join(' | ')}`;
}

export interface Mismatch {
  readonly question: string;
  readonly server: string;
  readonly got: string;
  readonly expected: string;
}

/**
 * Sends `questions` to every server and compares each reply with the zone files' answer.
 * TTLs are compared when `withTtl` (authoritative answers); forwarded answers come from a cache
 * that counts TTLs down, so those compare without.
 */
export async function verifyServers(servers: ReadonlyArray<{ name: string; port: number }>, zones: ZoneSet, questions: readonly Question[], withTtl: boolean): Promise<Mismatch[]> {
  const mismatches: Mismatch[] = [];
  for (const s of servers) {
    const replies = await digBatch(s.port, questions, withTtl);
    for (const q of questions) {
      const want = expectedReply(zones, q, withTtl);
      const got = replies.get(key(q));
      if (!sameReply(got, want)) mismatches.push({ question: key(q), server: s.name, got: showReply(got), expected: showReply(want) });
    }
  }
  return mismatches;
}
