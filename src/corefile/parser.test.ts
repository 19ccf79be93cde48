// Corefile snippets to the ServerBlock / Directive trees they produce, and to the errors they raise.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { CorefileError, parseCorefile } from './index.ts';
import type { Directive, ParseOptions, ServerBlock, ServerKey } from './index.ts';

const F = '/etc/coredns/Corefile';

function d(line: number, name: string, args: string[] = [], block: Directive[] | null = null, file = F): Directive {
  return { name, args, block, file, line };
}
function key(raw: string, zones: string[], port: number | null = null, scheme: ServerKey['scheme'] = 'dns'): ServerKey {
  return { raw, scheme, zones, port };
}
function sb(line: number, keys: ServerKey[], directives: Directive[], file = F): ServerBlock {
  return { keys, directives, file, line };
}

/** An in-memory file system for imports: paths to contents; directories are derived. */
function memfs(files: Record<string, string>): Pick<ParseOptions, 'readFile' | 'listDir'> {
  return {
    readFile(path) {
      const text = files[path];
      if (text !== undefined) return text;
      if (Object.keys(files).some((p) => p.startsWith(path + '/'))) {
        throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read`), { code: 'EISDIR' });
      }
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    },
    listDir(dir) {
      const names = new Set<string>();
      for (const p of Object.keys(files)) if (p.startsWith(dir + '/')) names.add(p.slice(dir.length + 1).split('/')[0]!);
      if (names.size === 0) throw Object.assign(new Error(`ENOENT: ${dir}`), { code: 'ENOENT' });
      return [...names].reverse(); // unsorted on purpose: the parser sorts
    },
  };
}

function parse(text: string, options: Partial<ParseOptions> = {}): ServerBlock[] {
  return parseCorefile(text, { file: F, env: {}, readFile: () => { throw new Error('no files'); }, listDir: () => [], ...options });
}

const KUBEADM = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
`;

const NODELOCAL = readFileSync(new URL('../../test/fixtures/corefiles/nodelocaldns.Corefile', import.meta.url), 'utf8');

function reverseBlock(first: number, raw: string, zone: string): ServerBlock {
  const l = first;
  return sb(l, [key(raw, [zone], 53)], [
    d(l + 1, 'errors'), d(l + 2, 'cache', ['30']), d(l + 3, 'reload'), d(l + 4, 'loop'),
    d(l + 5, 'bind', ['__PILLAR__LOCAL__DNS__', '__PILLAR__DNS__SERVER__']),
    d(l + 6, 'forward', ['.', '__PILLAR__CLUSTER__DNS__'], [d(l + 7, 'force_tcp')]),
    d(l + 9, 'prometheus', [':9253']),
  ]);
}

interface Case { readonly name: string; readonly text: string; readonly options?: Partial<ParseOptions>; readonly want: ServerBlock[] }

const cases: Case[] = [
  { name: 'empty file', text: '', want: [] },
  { name: 'only blank lines and comments', text: '\n  # nothing here\n\t\n# more\n', want: [] },
  {
    name: 'kubeadm default Corefile',
    text: KUBEADM,
    want: [sb(1, [key('.:53', ['.'], 53)], [
      d(2, 'errors'),
      d(3, 'health', [], [d(4, 'lameduck', ['5s'])]),
      d(6, 'ready'),
      d(7, 'kubernetes', ['cluster.local', 'in-addr.arpa', 'ip6.arpa'], [
        d(8, 'pods', ['insecure']),
        d(9, 'fallthrough', ['in-addr.arpa', 'ip6.arpa']),
        d(10, 'ttl', ['30']),
      ]),
      d(12, 'prometheus', [':9153']),
      d(13, 'forward', ['.', '/etc/resolv.conf'], [d(14, 'max_concurrent', ['1000'])]),
      d(16, 'cache', ['30'], [d(17, 'disable', ['success', 'cluster.local']), d(18, 'disable', ['denial', 'cluster.local'])]),
      d(20, 'loop'),
      d(21, 'reload'),
      d(22, 'loadbalance'),
    ])],
  },
  {
    name: 'NodeLocal DNSCache Corefile: four blocks, placeholders are plain words',
    text: NODELOCAL,
    want: [
      sb(1, [key('__PILLAR__DNS__DOMAIN__:53', ['__pillar__dns__domain__.'], 53)], [
        d(2, 'errors'),
        d(3, 'cache', [], [d(4, 'success', ['9984', '30']), d(5, 'denial', ['9984', '5'])]),
        d(7, 'reload'),
        d(8, 'loop'),
        d(9, 'bind', ['__PILLAR__LOCAL__DNS__', '__PILLAR__DNS__SERVER__']),
        d(10, 'forward', ['.', '__PILLAR__CLUSTER__DNS__'], [d(11, 'force_tcp')]),
        d(13, 'prometheus', [':9253']),
        d(14, 'health', ['__PILLAR__LOCAL__DNS__:8080']),
      ]),
      reverseBlock(16, 'in-addr.arpa:53', 'in-addr.arpa.'),
      reverseBlock(27, 'ip6.arpa:53', 'ip6.arpa.'),
      sb(38, [key('.:53', ['.'], 53)], [
        d(39, 'errors'), d(40, 'cache', ['30']), d(41, 'reload'), d(42, 'loop'),
        d(43, 'bind', ['__PILLAR__LOCAL__DNS__', '__PILLAR__DNS__SERVER__']),
        d(44, 'forward', ['.', '__PILLAR__UPSTREAM__SERVERS__']),
        d(45, 'prometheus', [':9253']),
      ]),
    ],
  },
  {
    name: 'comments everywhere: own line, after keys, after "{", after args, mid-word, after "}"',
    text: `# header
. { # after the brace
  # a whole line
  errors # trailing
  log stdout#glued
  cache 30 {   # after a nested brace
    success 100 # tail
  } # after close
} # end
# footer`,
    want: [sb(2, [key('.', ['.'])], [
      d(4, 'errors'),
      d(5, 'log', ['stdout']),
      d(6, 'cache', ['30'], [d(7, 'success', ['100'])]),
    ])],
  },
  {
    name: 'quoted arguments keep spaces, "#" and "{ }", and only \\" is an escape',
    text: `. {
  log . "{remote}:{port} - {>id} \\"{type} {class} {name}\\" # not a comment"
  template IN A "{{ .Name }} 60 IN A 127.0.0.1"
  rewrite name regex "(.*)\\.example\\.org" "{1}.svc" "" x"y
}`,
    want: [sb(1, [key('.', ['.'])], [
      d(2, 'log', ['.', '{remote}:{port} - {>id} "{type} {class} {name}" # not a comment']),
      d(3, 'template', ['IN', 'A', '{{ .Name }} 60 IN A 127.0.0.1']),
      d(4, 'rewrite', ['name', 'regex', '(.*)\\.example\\.org', '{1}.svc', '', 'x"y']),
    ])],
  },
  {
    name: 'a quoted string may span lines; the directive goes on after its closing quote',
    text: `. {
  template IN TXT "line one
line two" ttl
  errors
}`,
    want: [sb(1, [key('.', ['.'])], [
      d(2, 'template', ['IN', 'TXT', 'line one\nline two', 'ttl']),
      d(4, 'errors'),
    ])],
  },
  {
    name: 'quoted braces and a quoted "import" are plain words',
    text: `. {
  foo "{" "}" "import"
  "import" x
}`,
    want: [sb(1, [key('.', ['.'])], [d(2, 'foo', ['{', '}', 'import']), d(3, 'import', ['x'])])],
  },
  {
    name: 'environment substitution, {$VAR} and {%VAR%}, per token',
    text: `{$ZONE}:{%PORT%} {
  forward . {$UPSTREAM}
  log "format {$FMT} {%PORT%}"
  cache {$UNSET}x {%UNSET%}
  a{$} {%MALFORMED} {$SPACED}
  {$DIRECTIVE} on
}`,
    options: { env: { ZONE: 'Cluster.Local', PORT: '1053', UPSTREAM: '10.0.0.1', FMT: 'json', SPACED: 'a b # c', DIRECTIVE: 'errors' } },
    want: [sb(1, [key('Cluster.Local:1053', ['cluster.local.'], 1053)], [
      d(2, 'forward', ['.', '10.0.0.1']),
      d(3, 'log', ['format json 1053']),
      d(4, 'cache', ['x', '']),
      d(5, 'a{$}', ['{%MALFORMED}', 'a b # c']),
      d(6, 'errors', ['on']),
    ])],
  },
  {
    name: 'several keys with their own ports, schemes, a trailing-comma list across lines',
    text: `example.org:1053 dns://Example.NET. tls://secure.org:853 grpc://g.org https://h.org:443 quic://q.org https3://h3.org,
  other.org {
  whoami
}`,
    want: [sb(1, [
      key('example.org:1053', ['example.org.'], 1053),
      key('dns://Example.NET.', ['example.net.']),
      key('tls://secure.org:853', ['secure.org.'], 853, 'tls'),
      key('grpc://g.org', ['g.org.'], null, 'grpc'),
      key('https://h.org:443', ['h.org.'], 443, 'https'),
      key('quic://q.org', ['q.org.'], null, 'quic'),
      key('https3://h3.org', ['h3.org.'], null, 'https3'),
      key('other.org', ['other.org.']),
    ], [d(3, 'whoami')])],
  },
  {
    name: 'the opening brace of a server block may be on the next line',
    text: `example.org
{
  whoami
}`,
    want: [sb(1, [key('example.org', ['example.org.'])], [d(3, 'whoami')])],
  },
  {
    name: 'CIDR keys: octet boundary, /27, /15, IPv6 /64 and /62 with a port',
    text: `10.0.0.0/24 10.0.0.64/27 10.0.0.0/15 fd00:1:2:3::/64 fd00::/62:1053 {
  whoami
}`,
    want: [sb(1, [
      key('10.0.0.0/24', ['0.0.10.in-addr.arpa.']),
      key('10.0.0.64/27', Array.from({ length: 32 }, (_, i) => `${64 + i}.0.0.10.in-addr.arpa.`)),
      key('10.0.0.0/15', ['0.10.in-addr.arpa.', '1.10.in-addr.arpa.']),
      key('fd00:1:2:3::/64', ['3.0.0.0.2.0.0.0.1.0.0.0.0.0.d.f.ip6.arpa.']),
      key('fd00::/62:1053', ['0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.', '1.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.',
        '2.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.', '3.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.'], 1053),
    ], [d(2, 'whoami')])],
  },
  {
    name: 'one-line blocks are accepted',
    text: `. { whoami }
example.org { health { lameduck 5s } }
`,
    want: [
      sb(1, [key('.', ['.'])], [d(1, 'whoami')]),
      sb(2, [key('example.org', ['example.org.'])], [d(2, 'health', [], [d(2, 'lameduck', ['5s'])])]),
    ],
  },
  {
    name: 'empty blocks, and a block with only a key line at the end of the file',
    text: `a.org {
}
b.org { }
c.org`,
    want: [
      sb(1, [key('a.org', ['a.org.'])], []),
      sb(3, [key('b.org', ['b.org.'])], []),
      sb(4, [key('c.org', ['c.org.'])], []),
    ],
  },
  {
    name: 'a block without braces runs to the end of the file',
    text: `example.org:1053
errors
forward . 8.8.8.8 {
  max_fails 3
}
log`,
    want: [sb(1, [key('example.org:1053', ['example.org.'], 1053)], [
      d(2, 'errors'),
      d(3, 'forward', ['.', '8.8.8.8'], [d(4, 'max_fails', ['3'])]),
      d(6, 'log'),
    ])],
  },
  {
    name: 'deeply nested blocks',
    text: `. {
  a 1 {
    b 2 {
      c 3
    }
    e
  }
}`,
    want: [sb(1, [key('.', ['.'])], [d(2, 'a', ['1'], [d(3, 'b', ['2'], [d(4, 'c', ['3'])]), d(6, 'e')])])],
  },
  {
    name: 'CRLF line endings and a byte order mark',
    text: '\uFEFF. {\r\n  errors\r\n  cache 30\r\n}\r\n',
    want: [sb(1, [key('.', ['.'])], [d(2, 'errors'), d(3, 'cache', ['30'])])],
  },
  {
    name: 'snippets: spliced in place, keep their own lines, usable at any depth and at top level',
    text: `(common) {
  errors
  cache 30 {
    success 100
  }
}
(server) {
  example.net {
    whoami
  }
}
. {
  import common
  forward . 1.1.1.1 {
    import common
  }
  log
}
import server`,
    want: [
      sb(12, [key('.', ['.'])], [
        d(2, 'errors'),
        d(3, 'cache', ['30'], [d(4, 'success', ['100'])]),
        d(14, 'forward', ['.', '1.1.1.1'], [d(2, 'errors'), d(3, 'cache', ['30'], [d(4, 'success', ['100'])])]),
        d(17, 'log'),
      ]),
      sb(8, [key('example.net', ['example.net.'])], [d(9, 'whoami')]),
    ],
  },
  {
    name: 'the same one-line snippet imported twice gives two directives',
    text: `(s) {
  log
}
. {
  import s
  import s
}`,
    want: [sb(4, [key('.', ['.'])], [d(2, 'log'), d(2, 'log')])],
  },
  {
    name: 'snippet arguments: {args[N]} inside tokens, {args[:]} and ranges expand to several',
    text: `(fwd) {
  forward {args[0]} {args[1:]} {
    max_fails {args[0]}x
  }
  hosts {args[:]}
  only {args[:1]}
}
. {
  import fwd example.org 10.0.0.1 "10.0.0.2"
}`,
    want: [sb(8, [key('.', ['.'])], [
      d(2, 'forward', ['example.org', '10.0.0.1', '10.0.0.2'], [d(3, 'max_fails', ['example.orgx'])]),
      d(5, 'hosts', ['example.org', '10.0.0.1', '10.0.0.2']),
      d(6, 'only', ['example.org']),
    ])],
  },
  {
    name: '"import" is only special at the start of a line',
    text: `. {
  acl import x
}`,
    want: [sb(1, [key('.', ['.'])], [d(2, 'acl', ['import', 'x'])])],
  },
];

describe('parseCorefile', () => {
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(parse(c.text, c.options), c.want);
    });
  }
});

describe('file imports', () => {
  const files = {
    '/etc/coredns/custom/a.server': 'a.org {\n  whoami\n}\n',
    '/etc/coredns/custom/b.server': '# b\nb.org:1053 {\n  import ../common/plugins.conf 1.1.1.1\n}\n',
    '/etc/coredns/custom/c.override': 'log\n',
    '/etc/coredns/custom/d.override': 'errors\n',
    '/etc/coredns/common/plugins.conf': '\ncache 30\nforward . {args[0]}\n',
    '/etc/coredns/custom/..data/x.server': 'never.org\n',
    '/abs/zones.conf': 'z.org {\n  file db.z\n}\n',
  };
  const fs = memfs(files);

  test('globs and relative paths, nested imports relative to the importing file, file and line kept', () => {
    const warnings: string[] = [];
    const got = parse(`. {
  import custom/*.override
  import custom/nothing*.conf
}
import custom/?.server
import /abs/zones.conf
`, { ...fs, onWarning: (m) => warnings.push(m) });
    assert.deepEqual(got, [
      sb(1, [key('.', ['.'])], [
        d(1, 'log', [], null, '/etc/coredns/custom/c.override'),
        d(1, 'errors', [], null, '/etc/coredns/custom/d.override'),
      ]),
      sb(1, [key('a.org', ['a.org.'])], [d(2, 'whoami', [], null, '/etc/coredns/custom/a.server')], '/etc/coredns/custom/a.server'),
      sb(2, [key('b.org:1053', ['b.org.'], 1053)], [
        d(2, 'cache', ['30'], null, '/etc/coredns/common/plugins.conf'),
        d(3, 'forward', ['.', '1.1.1.1'], null, '/etc/coredns/common/plugins.conf'),
      ], '/etc/coredns/custom/b.server'),
      sb(1, [key('z.org', ['z.org.'])], [d(2, 'file', ['db.z'], null, '/abs/zones.conf')], '/abs/zones.conf'),
    ]);
    assert.deepEqual(warnings, [`${F}:3 - No files matching import glob pattern: custom/nothing*.conf`]);
  });

  test('snippets defined in an imported file keep their {args[N]} and are usable afterwards', () => {
    const got = parse('import snippets.conf\n. {\n  import fwd 10.0.0.53\n}', memfs({
      '/etc/coredns/snippets.conf': '(fwd) {\n  forward . {args[0]}\n}\n',
    }));
    assert.deepEqual(got, [sb(2, [key('.', ['.'])], [d(2, 'forward', ['.', '10.0.0.53'], null, '/etc/coredns/snippets.conf')])]);
  });

  test('an empty glob match is not an error, even for a missing directory', () => {
    assert.deepEqual(parse('import nowhere/*.conf\n. {\n  import nowhere/*\n}', fs), [sb(2, [key('.', ['.'])], [])]);
  });

  test('the same file imported twice is not a cycle', () => {
    const got = parse('. {\n  import custom/d.override\n  import custom/d.override\n}', fs);
    assert.equal(got[0]!.directives.length, 2);
  });

  test('an error inside an imported file points at that file', () => {
    const err = catchError(() => parse('import bad.conf', memfs({ '/etc/coredns/bad.conf': '\n\nx.org:99999 {\n}\n' })));
    assert.equal(err.file, '/etc/coredns/bad.conf');
    assert.equal(err.line, 3);
  });

  test('the default readFile/listDir use the real file system', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/podns-corefile-`);
    try {
      writeFileSync(`${dir}/one.conf`, 'one.org {\n  whoami\n}\n');
      writeFileSync(`${dir}/two.conf`, 'two.org {\n  whoami\n}\n');
      const blocks = parseCorefile('import *.conf\nimport missing/*\n', { file: `${dir}/Corefile`, env: {} });
      assert.deepEqual(blocks.map((b) => b.keys[0]!.raw), ['one.org', 'two.org']);
      assert.equal(blocks[1]!.file, `${dir}/two.conf`);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

function catchError(f: () => unknown): CorefileError {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof CorefileError, `expected a CorefileError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an error');
}

interface ErrorCase {
  readonly name: string;
  readonly text: string;
  readonly options?: Partial<ParseOptions>;
  readonly line: number;
  readonly reason: string | RegExp;
  readonly file?: string;
}

const errorFiles = memfs({
  '/etc/coredns/loop-a.conf': '\nimport loop-b.conf\n',
  '/etc/coredns/loop-b.conf': 'import loop-a.conf\n',
  '/etc/coredns/self.conf': 'import self.conf',
  '/etc/coredns/dir/sub/x.conf': '',
});

const errorCases: ErrorCase[] = [
  { name: 'missing closing brace of a server block: the line of its "{"', text: '. {\n  errors\n  log\n', line: 1, reason: "Unexpected EOF: this '{' is never closed" },
  { name: 'missing closing brace of a nested block', text: 'a.org {\n  errors\n}\nb.org {\n  cache {\n    success 1\n}\n', line: 4, reason: "Unexpected EOF: this '{' is never closed" },
  { name: 'extra closing brace at top level', text: '. {\n  errors\n}\n}\n', line: 4, reason: "Unexpected '}' because no matching opening brace" },
  { name: 'closing brace in a braceless block', text: 'example.org\n  errors\n}\n', line: 3, reason: "Unexpected '}' because no matching opening brace" },
  { name: 'opening brace without a directive', text: '. {\n  errors\n  {\n  }\n}', line: 3, reason: "Unexpected '{': a block must follow a directive on the same line" },
  { name: 'opening brace without keys', text: '\n{\n  errors\n}', line: 2, reason: "Unexpected '{': a server block needs at least one key before '{'" },
  { name: 'words after a closing brace on the same line', text: '. {\n  cache {\n    success 1\n  } 30\n}', line: 4, reason: "Unexpected '30' after the '}' closing the block of 'cache'; start a new line" },
  { name: 'trailing comma before the brace', text: 'a.org, {\n}', line: 1, reason: "Expected another server block key but had '{' - check for an extra comma" },
  { name: 'trailing comma at the end of the file', text: 'a.org,', line: 1, reason: "Unexpected EOF: expecting another server block key after ','" },
  { name: 'port above 65535', text: 'example.org:65536 {\n}', line: 1, reason: 'invalid port "65536" in server block key "example.org:65536" (expected a number from 0 to 65535)' },
  { name: 'port not numeric', text: '. {\n}\n\nexample.org:dns {\n}', line: 4, reason: 'invalid port "dns" in server block key "example.org:dns" (expected a number from 0 to 65535)' },
  { name: 'nothing after the colon', text: 'example.org: {\n}', line: 1, reason: 'expecting a port after the last colon in server block key "example.org:"' },
  { name: 'empty zone before the port', text: ':53 {\n}', line: 1, reason: 'empty zone in server block key ":53"' },
  { name: 'unknown scheme', text: 'http://example.org {\n}', line: 1, reason: /^unknown scheme "http" in server block key "http:\/\/example.org"/ },
  { name: 'invalid zone name', text: 'a..b {\n}', line: 1, reason: 'zone "a..b" is not a valid domain name (empty label) in server block key "a..b"' },
  { name: 'invalid CIDR', text: '10.0.0.0/33 {\n}', line: 1, reason: 'invalid CIDR "10.0.0.0/33" in server block key "10.0.0.0/33"' },
  { name: 'unterminated quoted string: the line where it starts', text: '. {\n  log "abc\n}\n', line: 2, reason: 'Unterminated quoted string (missing closing \'"\')' },
  { name: 'snippet without braces', text: '(s)\n  log\n', line: 2, reason: "Unexpected 'log', expecting '{' after snippet (s)" },
  { name: 'snippet never closed', text: '(s) {\n  log\n', line: 1, reason: "Unexpected EOF: the '{' of snippet (s) is never closed" },
  { name: 'snippet redeclared', text: '(s) {\n}\n(s) {\n}', line: 3, reason: 'redeclaration of previously declared snippet s' },
  { name: 'snippet imports itself', text: '(s) {\n  log\n  import s\n}\n. {\n  import s\n}', line: 3, reason: 'import cycle: (s) -> (s)' },
  { name: 'snippets import each other', text: '(a) {\n  import b\n}\n(b) {\n  import a\n}\n. {\n  import a\n}', line: 5, reason: 'import cycle: (a) -> (b) -> (a)' },
  { name: 'snippet argument out of range', text: '(s) {\n  log {args[1]}\n}\n. {\n  import s one\n}', line: 5, reason: 'argument {args[1]} is out of range: snippet (s) was imported with 1 argument(s)' },
  { name: 'import without a pattern', text: '. {\n  import\n}', line: 2, reason: "Wrong argument count or unexpected line ending after 'import'" },
  { name: 'import of an empty pattern', text: '. {\n  import {$NOPE}\n}', line: 2, reason: 'Import requires a non-empty filepath' },
  { name: 'import of a missing file', text: '. {\n  errors\n  import extra.conf\n}', options: { ...errorFiles }, line: 3, reason: 'File to import not found: extra.conf' },
  { name: 'import of a directory', text: 'import dir/sub', options: { ...errorFiles }, line: 1, reason: 'Could not import /etc/coredns/dir/sub: is a directory' },
  { name: 'import cycle between files', text: 'import loop-a.conf', options: { ...errorFiles }, line: 1, reason: 'import cycle: /etc/coredns/loop-a.conf -> /etc/coredns/loop-b.conf -> /etc/coredns/loop-a.conf', file: '/etc/coredns/loop-b.conf' },
  { name: 'a file that imports itself', text: 'import self.conf', options: { ...errorFiles }, line: 1, reason: 'import cycle: /etc/coredns/self.conf -> /etc/coredns/self.conf', file: '/etc/coredns/self.conf' },
  { name: 'the Corefile importing itself', text: '\nimport Corefile', options: { ...errorFiles }, line: 2, reason: `import cycle: ${F} -> ${F}` },
  { name: 'wildcards in a directory component', text: 'import */x.conf', options: { ...errorFiles }, line: 1, reason: 'Glob pattern may only use wildcards in its last path component: */x.conf' },
  { name: 'malformed glob', text: 'import dir/[a', options: { ...errorFiles }, line: 1, reason: /^Failed to use import pattern dir\/\[a: bad pattern/ },
  { name: 'import followed by a brace', text: '. {\n  import x {\n  }\n}', line: 2, reason: "Unexpected '{' after import: import takes no block" },
  {
    name: 'more than 10000 imports',
    text: '(s) {\n}\n. {\n' + '  import s\n'.repeat(10_001) + '}\n',
    line: 10_004,
    reason: 'maximum number of imports (10000) exceeded',
  },
];

describe('parseCorefile errors', () => {
  for (const c of errorCases) {
    test(c.name, () => {
      const err = catchError(() => parse(c.text, c.options));
      if (typeof c.reason === 'string') assert.equal(err.reason, c.reason);
      else assert.match(err.reason, c.reason);
      assert.equal(err.line, c.line);
      assert.equal(err.file, c.file ?? F);
      assert.equal(err.code, 'PODNS_ERR_COREFILE');
      assert.equal(err.message, `${err.file}:${err.line} - Error during parsing: ${err.reason}`);
    });
  }
});
