// errors: the stanza table, the error line, consolidation (with a hand-driven timer) and
// show_first, stacktrace, Go's duration format; and end to end through a real DnsServer.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import type { Directive } from '../../corefile/index.ts';
import { DnsError } from '../../core/errors.ts';
import type { Handler, PluginDefinition } from '../../core/handler.ts';
import { endOfChain } from '../../core/handler.ts';
import { Request } from '../../core/request.ts';
import { Recorder } from '../../core/writer.ts';
import type { Message } from '../../dns/types.ts';
import { Rcode, RRType } from '../../dns/types.ts';
import { plugins } from '../registry.ts';
import { DnsServer } from '../../server/server.ts';
import { capturingLogger } from '../../testing/context.ts';
import { dig, freePort } from '../../../test/integration/harness.ts';
import { ErrorLog, ErrorsHandler } from './errors.ts';
import type { ErrorsOptions, Timers } from './errors.ts';
import { parseErrors } from './setup.ts';

function directive(body: string): Directive {
  const [block] = parseCorefile(`. {\n${body}\n}\n`, { file: 'Corefile' });
  return block!.directives[0]!;
}

function options(body: string): ErrorsOptions { return parseErrors(directive(body)); }

describe('errors: parse', () => {
  test('defaults', () => assert.deepEqual(options('errors'), { stacktrace: false, consolidate: [] }));
  test('stdout', () => assert.deepEqual(options('errors stdout'), { stacktrace: false, consolidate: [] }));
  test('stacktrace (and its former name)', () => {
    assert.equal(options('errors {\n stacktrace\n}').stacktrace, true);
    assert.equal(options('errors {\n panicRecoveryStacktrace\n}').stacktrace, true);
  });
  test('consolidate', () => {
    const o = options('errors {\n consolidate 5m ".* i/o timeout$" warning\n consolidate 30s "^Failed to .+"\n consolidate 1m error1 info show_first\n consolidate 10s x show_first\n}');
    assert.deepEqual(o.consolidate.map((c) => ({ ...c, pattern: c.pattern.source })), [
      { periodMs: 300_000, pattern: '.* i\\/o timeout$', source: '.* i/o timeout$', level: 'warning', showFirst: false },
      { periodMs: 30_000, pattern: '^Failed to .+', source: '^Failed to .+', level: 'error', showFirst: false },
      { periodMs: 60_000, pattern: 'error1', source: 'error1', level: 'info', showFirst: true },
      { periodMs: 10_000, pattern: 'x', source: 'x', level: 'error', showFirst: true },
    ]);
    assert.equal(options('errors {\n consolidate 1m (?i)^TIMEOUT\n}').consolidate[0]!.pattern.test('timeout here'), true);
  });

  const bad: Array<[string, string]> = [
    ['errors errors.txt', 'Corefile:2 - Error during parsing: plugin/errors: invalid log file: errors.txt'],
    ['errors a b', "Corefile:2 - Error during parsing: plugin/errors: Wrong argument count or unexpected line ending after 'b'"],
    ['errors {\n log visible\n}', "Corefile:3 - Error during parsing: plugin/errors: Syntax error: Unexpected token 'log', expecting 'Unknown field log'"],
    ['errors {\n consolidate\n}', "Corefile:3 - Error during parsing: plugin/errors: Wrong argument count or unexpected line ending after 'consolidate'"],
    ['errors {\n consolidate 1m\n}', "Corefile:3 - Error during parsing: plugin/errors: Wrong argument count or unexpected line ending after '1m'"],
    ['errors {\n consolidate 1m .* warning show_first extra\n}', "Corefile:3 - Error during parsing: plugin/errors: Wrong argument count or unexpected line ending after 'extra'"],
    ['errors {\n consolidate 1m .* extra\n}', 'Corefile:3 - Error during parsing: plugin/errors: unknown log level argument in consolidate: extra'],
    ['errors {\n consolidate abc .*\n}', 'Corefile:3 - Error during parsing: plugin/errors: time: invalid duration "abc"'],
    ['errors {\n consolidate 1 .*\n}', 'Corefile:3 - Error during parsing: plugin/errors: time: missing unit in duration "1"'],
  ];
  for (const [text, message] of bad) {
    test(`rejects ${JSON.stringify(text)}`, () => assert.throws(() => parseErrors(directive(text)), { message }));
  }
  test('rejects an invalid regexp', () => {
    assert.throws(() => parseErrors(directive('errors {\n consolidate 1m ())\n}')), { message: /^Corefile:3 - Error during parsing: plugin\/errors: error parsing regexp: / });
  });
  test('rejects a regexp over 10000 characters', () => {
    assert.throws(() => parseErrors(directive(`errors {\n consolidate 1m ${'a'.repeat(10001)}\n}`)), /regexp is longer than 10000 characters/);
  });
});

function query(name: string, type: number): Request {
  const msg: Message = {
    id: 1, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, z: false, ad: false, cd: false, rcode: 0,
    questions: [{ name, type, class: 1 }], answers: [], authorities: [], additionals: [], edns: null,
  };
  return new Request(msg, { address: '10.0.0.1', port: 5300, family: 4 }, 'udp');
}

function failing(err: unknown): Handler {
  return { name: 'boom', serveDNS: () => Promise.reject(err) };
}

/** Timers fired by hand. */
function manualTimers(): Timers & { pending: Array<{ fn: () => void; ms: number }>; fire(): void } {
  const pending: Array<{ fn: () => void; ms: number }> = [];
  return {
    pending,
    set(fn, ms) { const t = { fn, ms }; pending.push(t); return t; },
    clear(h) { const i = pending.indexOf(h as { fn: () => void; ms: number }); if (i >= 0) pending.splice(i, 1); },
    fire() { for (const t of pending.splice(0)) t.fn(); },
  };
}

describe('errors: handler', () => {
  test('logs RCODE QNAME QTYPE: MESSAGE and rethrows the same error', async () => {
    const lines: string[] = [];
    const h = new ErrorsHandler(failing(new Error('read udp 10.0.0.1:53->8.8.8.8:53: i/o timeout')), new ErrorLog(options('errors'), capturingLogger(lines, 'plugin/errors: ')));
    const err = new DnsError('PODNS_ERR_PLUGIN', 'plugin/acl: refused', Rcode.REFUSED);
    const h2 = new ErrorsHandler(failing(err), new ErrorLog(options('errors'), capturingLogger(lines, 'plugin/errors: ')));
    await assert.rejects(h.serveDNS(query('Example.ORG.', RRType.AAAA), new Recorder()), /i\/o timeout/);
    await assert.rejects(h2.serveDNS(query('example.org.', RRType.A), new Recorder()), (e) => e === err);
    const h3 = new ErrorsHandler(endOfChain, new ErrorLog(options('errors'), capturingLogger(lines, 'plugin/errors: ')));
    await assert.rejects(h3.serveDNS(query('example.org.', RRType.MX), new Recorder()));
    assert.deepEqual(lines, [
      '[ERROR] plugin/errors: 2 example.org. AAAA: read udp 10.0.0.1:53->8.8.8.8:53: i/o timeout',
      '[ERROR] plugin/errors: 5 example.org. A: plugin/acl: refused',
      '[ERROR] plugin/errors: 2 example.org. MX: plugin/errors: no next plugin found',
    ]);
  });

  test('nothing is logged when the chain succeeds', async () => {
    const lines: string[] = [];
    const ok: Handler = { name: 'ok', serveDNS: () => Promise.resolve() };
    await new ErrorsHandler(ok, new ErrorLog(options('errors'), capturingLogger(lines))).serveDNS(query('a.', 1), new Recorder());
    assert.deepEqual(lines, []);
  });

  test('consolidate: matching errors are counted and summarised once per period; others logged', () => {
    const lines: string[] = [];
    const timers = manualTimers();
    const log = new ErrorLog(options('errors {\n consolidate 5m "i/o timeout$" warning\n consolidate 30s timeout\n}'), capturingLogger(lines, 'plugin/errors: '), timers);
    const q = query('example.org.', 1);
    for (let i = 0; i < 3; i++) log.report(q, new Error('read udp: i/o timeout'));
    log.report(q, new Error('connection refused'));
    log.report(q, new Error('timeout waiting'));
    assert.deepEqual(lines, ['[ERROR] plugin/errors: 2 example.org. A: connection refused']);
    assert.deepEqual(timers.pending.map((t) => t.ms), [300_000, 30_000]);
    timers.fire();
    assert.deepEqual(lines.slice(1), [
      "[WARNING] plugin/errors: 3 errors like 'i/o timeout$' occurred in last 5m0s",
      "[ERROR] plugin/errors: 1 errors like 'timeout' occurred in last 30s",
    ]);
    log.report(q, new Error('read udp: i/o timeout'));
    assert.equal(timers.pending.length, 1, 'a new period starts with the next match');
  });

  test('show_first: the first error in full at once; a summary only when more followed', () => {
    const lines: string[] = [];
    const timers = manualTimers();
    const log = new ErrorLog(options('errors {\n consolidate 30s "i/o timeout$" warning show_first\n}'), capturingLogger(lines, 'plugin/errors: '), timers);
    const q = query('example.org.', 1);
    log.report(q, new Error('read udp 10.0.0.1:53->8.8.8.8:53: i/o timeout'));
    log.report(q, new Error('read udp 10.0.0.1:53->8.8.8.8:53: i/o timeout'));
    log.report(q, new Error('read udp 10.0.0.1:53->8.8.8.8:53: i/o timeout'));
    timers.fire();
    log.report(q, new Error('read udp 10.0.0.1:53->8.8.8.8:53: i/o timeout'));
    timers.fire();
    assert.deepEqual(lines, [
      '[WARNING] plugin/errors: 2 example.org. A: read udp 10.0.0.1:53->8.8.8.8:53: i/o timeout',
      "[WARNING] plugin/errors: 3 errors like 'i/o timeout$' occurred in last 30s",
      '[WARNING] plugin/errors: 2 example.org. A: read udp 10.0.0.1:53->8.8.8.8:53: i/o timeout',
    ]);
  });

  test('stop prints pending summaries; later errors are logged in full', () => {
    const lines: string[] = [];
    const timers = manualTimers();
    const log = new ErrorLog(options('errors {\n consolidate 1m boom info\n}'), capturingLogger(lines, 'plugin/errors: '), timers);
    const q = query('a.example.', 1);
    log.report(q, new Error('boom'));
    log.report(q, new Error('boom'));
    log.stop();
    assert.equal(timers.pending.length, 0);
    log.report(q, new Error('boom'));
    assert.deepEqual(lines, [
      "[INFO] plugin/errors: 2 errors like 'boom' occurred in last 1m0s",
      '[ERROR] plugin/errors: 2 a.example. A: boom',
    ]);
  });

  test('debug-level summaries are not printed (no debug plugin)', () => {
    const lines: string[] = [];
    const timers = manualTimers();
    const log = new ErrorLog(options('errors {\n consolidate 1m boom debug\n}'), capturingLogger(lines), timers);
    log.report(query('a.', 1), new Error('boom'));
    timers.fire();
    assert.deepEqual(lines, []);
  });

  test('stacktrace: the stack of an unexpected exception, not of a DnsError', () => {
    const lines: string[] = [];
    const log = new ErrorLog(options('errors {\n stacktrace\n}'), capturingLogger(lines));
    log.report(query('a.', 1), new TypeError('x is undefined'));
    log.report(query('a.', 1), new DnsError('PODNS_ERR_PLUGIN', 'expected'));
    assert.equal(lines.length, 3);
    assert.match(lines[1]!, /^\[ERROR\] TypeError: x is undefined\n\s+at /);
    assert.equal(lines[2], '[ERROR] 2 a. A: expected');
  });
});

describe('errors: a running server', () => {
  test('a failing plugin is logged and answered SERVFAIL; a DnsError with its rcode', async () => {
    // Named after CoreDNS's test plugin so that it sits after errors in the chain.
    const thrower: PluginDefinition<null> = {
      name: 'erratic',
      parse: () => null,
      setup: () => () => ({
        name: 'erratic',
        serveDNS(req) {
          if (req.lname.startsWith('refuse.')) return Promise.reject(new DnsError('PODNS_ERR_PLUGIN', 'plugin/erratic: not you', Rcode.REFUSED));
          return Promise.reject(new Error('read udp 127.0.0.1:5353->127.0.0.153:53: i/o timeout'));
        },
      }),
    };
    const lines: string[] = [];
    const port = await freePort();
    const server = DnsServer.create(parseCorefile(`example.org:${port} {\n  erratic\n  errors\n}\n`, { file: 'Corefile' }), {
      manifests: [], log: capturingLogger(lines), defaultBind: ['127.0.0.1'],
      plugins: new Map([...plugins, ['erratic', thrower as PluginDefinition<unknown>]]),
    });
    await server.start();
    try {
      assert.equal((await dig(port, 'www.example.org', 'A')).status, 'SERVFAIL');
      assert.equal((await dig(port, 'refuse.example.org', 'TXT')).status, 'REFUSED');
    } finally {
      await server.stop();
    }
    assert.deepEqual(lines.filter((l) => l.includes('plugin/errors')), [
      '[ERROR] plugin/errors: 2 www.example.org. A: read udp 127.0.0.1:5353->127.0.0.153:53: i/o timeout',
      '[ERROR] plugin/errors: 5 refuse.example.org. TXT: plugin/erratic: not you',
    ]);
  });
});
