// resolv.conf as each resolver reads it (resolvconf.ts; pod-dns spec §4.1), one table per resolver.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readResolvConf } from './resolvconf.ts';
import type { ResolvConfig } from './resolvconf.ts';
import type { ResolverKind } from './types.ts';

type Want = Partial<Omit<ResolvConfig, 'notes'>> & { notes?: RegExp };

function check(kind: ResolverKind, cases: ReadonlyArray<readonly [string, string, Want, string?]>): void {
  for (const [title, text, want, hostname] of cases) {
    test(title, () => {
      const c = readResolvConf(kind, text, hostname === undefined ? {} : { hostname });
      for (const [k, v] of Object.entries(want)) {
        if (k === 'notes') assert.match(c.notes.join('\n'), v as RegExp, `${title}: notes ${JSON.stringify(c.notes)}`);
        else assert.deepEqual(c[k as keyof ResolvConfig], v, `${title}: ${k}`);
      }
    });
  }
}

describe('glibc reads resolv.conf (res_init.c)', () => {
  check('glibc', [
    ['defaults: 127.0.0.1, ndots 1, timeout 5, attempts 2, no search', '', { nameservers: ['127.0.0.1'], ndots: 1, timeout: 5, attempts: 2, search: [] }],
    ['no search line: the host name\'s domain', 'nameserver 10.0.0.1\n', { search: ['web.ns.svc.cluster.local'] }, 'web-0.web.ns.svc.cluster.local'],
    ['no search line, host name without a dot: no search', 'nameserver 10.0.0.1\n', { search: [] }, 'web-0'],
    ['the last of search/domain wins', 'search a.example b.example\ndomain c.example\n', { search: ['c.example'] }],
    ['…in either order', 'domain c.example\nsearch a.example b.example\n', { search: ['a.example', 'b.example'] }],
    ['domain keeps its first word', 'domain a.example b.example\n', { search: ['a.example'] }],
    ['an empty search line is ignored (the earlier list stays)', 'search a.example\nsearch   \n', { search: ['a.example'] }],
    ['search words split on spaces and TABs', 'search a\t b  c\n', { search: ['a', 'b', 'c'] }],
    ['no limit on search domains (since 2.26)', `search ${Array.from({ length: 40 }, (_, i) => `d${i}`).join(' ')}\n`, { search: Array.from({ length: 40 }, (_, i) => `d${i}`) }],
    ['a keyword must start the line', ' search a.example\n nameserver 10.0.0.1\n', { search: [], nameservers: ['127.0.0.1'], notes: /ignores the line " search a.example"/ }],
    ['…and be followed by a space or TAB', 'search\na.example\nnameserver\t10.0.0.1\n', { search: [], nameservers: ['10.0.0.1'] }],
    ['; and # comment lines', '# search a\n; nameserver 10.0.0.9\nnameserver 10.0.0.1\n', { search: [], nameservers: ['10.0.0.1'] }],
    ['a # after a value is part of the search list', 'search a # b\n', { search: ['a', '#', 'b'] }],
    ['the first 3 nameservers', 'nameserver 10.0.0.1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver 10.0.0.4\n', { nameservers: ['10.0.0.1', '10.0.0.2', '10.0.0.3'], notes: /first 3 of 4/ }],
    ['an unparsable nameserver is skipped', 'nameserver dns.example\nnameserver fd00::10\n', { nameservers: ['fd00::10'], notes: /skips "nameserver dns.example"/ }],
    ['a nameserver with a zone', 'nameserver fe80::1%eth0\n', { nameservers: ['fe80::1%eth0'] }],
    ['options lines accumulate', 'options ndots:2\noptions timeout:1 attempts:3\n', { ndots: 2, timeout: 1, attempts: 3 }],
    ['…and a later value wins', 'options ndots:2 ndots:3\n', { ndots: 3 }],
    ['ndots above 15 → 15', 'options ndots:20\n', { ndots: 15 }],
    ['ndots:-1 lands in a 4-bit field: 15', 'options ndots:-1\n', { ndots: 15 }],
    ['ndots: without a number → 0 (atoi)', 'options ndots:\n', { ndots: 0 }],
    ['timeout above 30 → 30, attempts above 5 → 5', 'options timeout:99 attempts:9\n', { timeout: 30, attempts: 5 }],
    ['attempts:0 is kept (and means no query at all)', 'options attempts:0\n', { attempts: 0, notes: /never sends a query/ }],
    ['flags', 'options rotate edns0 use-vc trust-ad no-aaaa no-tld-query\n', { rotate: true, edns0: true, useVc: true, trustAd: true, noAaaa: true, noTldQuery: true }],
    ['flags match by prefix', 'options rotatefoo no_tld_query\n', { rotate: true, noTldQuery: true }],
    ['single-request-reopen is not single-request', 'options single-request-reopen\n', { singleRequestReopen: true, singleRequest: false }],
    ['unknown options are ignored', 'options inet6 debug\n', { notes: /ignores the option "inet6"/ }],
  ]);
});

describe('musl reads resolv.conf (resolvconf.c)', () => {
  check('musl', [
    ['defaults', '', { nameservers: ['127.0.0.1'], ndots: 1, timeout: 5, attempts: 2, search: [] }],
    ['no default search domain from the host name', 'nameserver 10.0.0.1\n', { search: [] }, 'web-0.web.ns.svc.cluster.local'],
    ['domain is a search line: every word counts', 'domain a.example b.example\n', { search: ['a.example', 'b.example'] }],
    ['the last search/domain line wins', 'search a\ndomain b\n', { search: ['b'] }],
    ['no comment syntax: # words are search domains', 'search a b # c\n', { search: ['a', 'b', '#', 'c'] }],
    ['search words split on any white space', 'search a\tb\vc\n', { search: ['a', 'b', 'c'] }],
    ['a line of 255 characters or more is ignored whole', `search ${'a'.repeat(248)}\n`, { search: [], notes: /ignores a line of 255 characters/ }],
    ['…254 characters are fine', `search ${'a'.repeat(247)}\n`, { search: ['a'.repeat(247)] }],
    ['…a long options line too', `options ndots:5 ${'x'.repeat(250)}\n`, { ndots: 1 }],
    ['options: the first ndots: anywhere in the line (strstr)', 'options foo-ndots:3 ndots:4\n', { ndots: 3 }],
    ['options lines accumulate', 'options ndots:2\noptions timeout:1\n', { ndots: 2, timeout: 1 }],
    ['clamped: ndots 15, attempts 10, timeout 60', 'options ndots:99 attempts:20 timeout:99\n', { ndots: 15, attempts: 10, timeout: 60 }],
    ['a digit must follow the colon', 'options ndots:x timeout:.5\n', { ndots: 1, timeout: 5 }],
    ['attempts:0 is accepted (SIGFPE later)', 'options attempts:0\n', { attempts: 0, notes: /SIGFPE/ }],
    ['every other option is ignored', 'options rotate use-vc single-request edns0 trust-ad no-aaaa\n', { rotate: false, useVc: false, singleRequest: false, edns0: false, trustAd: false, noAaaa: false, notes: /ignores the option "use-vc"/ }],
    ['at most 3 nameservers', 'nameserver 10.0.0.1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver 10.0.0.4\n', { nameservers: ['10.0.0.1', '10.0.0.2', '10.0.0.3'] }],
    ['a keyword must start the line', ' nameserver 10.0.0.1\n', { nameservers: ['127.0.0.1'] }],
  ]);
});

describe('musl 1.2.3 reads it the same way', () => {
  check('musl-1.2.3', [
    ['domain is a search line', 'domain a b\n', { search: ['a', 'b'] }],
    ['a long line is ignored', `search ${'a'.repeat(260)}\n`, { search: [] }],
  ]);
});

describe('Go reads resolv.conf (dnsconfig_unix.go)', () => {
  check('go', [
    ['defaults: 127.0.0.1 and ::1', '', { nameservers: ['127.0.0.1', '::1'], ndots: 1, timeout: 5, attempts: 2 }],
    ['no search line: the host name\'s domain, absolute', 'nameserver 10.0.0.1\n', { search: ['web.ns.svc.cluster.local.'] }, 'web-0.web.ns.svc.cluster.local'],
    ['search entries made absolute, "." dropped', 'search a.example . b.example.\n', { search: ['a.example.', 'b.example.'], notes: /drops "\."/ }],
    ['domain keeps its first word', 'domain a.example b.example\n', { search: ['a.example.'] }],
    ['fields: leading white space is fine', '  search a.example\n\tnameserver 10.0.0.1\n', { search: ['a.example.'], nameservers: ['10.0.0.1'] }],
    ['# and ; comment lines', '# nameserver 10.0.0.9\n; search x\nnameserver 10.0.0.1\n', { nameservers: ['10.0.0.1'] }],
    ['ndots clamped to 0..15; a bad value is 0', 'options ndots:x\n', { ndots: 0 }],
    ['ndots:99 → 15', 'options ndots:99\n', { ndots: 15 }],
    ['timeout and attempts at least 1', 'options timeout:0 attempts:0\n', { timeout: 1, attempts: 1 }],
    ['single-request-reopen is single-request', 'options single-request-reopen\n', { singleRequest: true }],
    ['use-vc, usevc and tcp', 'options tcp\n', { useVc: true }],
    ['rotate and trust-ad', 'options rotate trust-ad\n', { rotate: true, trustAd: true }],
    ['no-aaaa is unknown to Go', 'options no-aaaa\n', { noAaaa: false, notes: /ignores the option "no-aaaa"/ }],
    ['the first 3 nameservers', 'nameserver 10.0.0.1\nnameserver 10.0.0.2\nnameserver 10.0.0.3\nnameserver 10.0.0.4\n', { nameservers: ['10.0.0.1', '10.0.0.2', '10.0.0.3'] }],
  ]);
});
