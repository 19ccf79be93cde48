/**
 * The Corefile parser: tokens to ServerBlock[], following CoreDNS's caddy v1 parser.
 *
 *   file        = { import-line | snippet | server-block }
 *   server-block = keys-line ( "{" lines "}" | lines-to-end-of-file )
 *   keys-line   = KEY { KEY }          keys end at a newline unless the last one ends with ","
 *   snippet     = "(" NAME ")" "{" raw tokens, braces balanced "}"
 *   lines       = { import-line | directive }
 *   directive   = NAME { ARG } [ "{" lines "}" ]      a newline ends it
 *   import-line = "import" PATTERN { ARG }             at the start of a line, anywhere
 *
 * Imports are expanded while reading, through a stack of token sources (TokenStream): the tokens
 * of a snippet or file are read in place of the import line and keep their own file and line.
 * A braceless server block runs to the end of the file (caddy's single-block form).
 */
import { posix } from 'node:path';
import { replaceEnvVars } from './env.ts';
import type { Env } from './env.ts';
import { CorefileError } from './errors.ts';
import { nodeListDir, nodeReadFile, processEnv } from './fs.ts';
import { GlobError, globMatch, hasGlobMeta } from './glob.ts';
import { KeyError, parseServerKey } from './keys.ts';
import { tokenize } from './lexer.ts';
import type { Token } from './lexer.ts';
import type { Directive, ParseOptions, ServerBlock, ServerKey } from './types.ts';

/** At most this many import lines are expanded in one parse (snippets and files together). */
export const MAX_IMPORTS = 10_000;

interface Segment { readonly source: string; readonly tokens: readonly Token[] }
interface Frame { readonly segments: readonly Segment[]; seg: number; pos: number }
interface Peeked { readonly token: Token; readonly newLine: boolean }

/**
 * Tokens of the Corefile with imports spliced in. A frame stays on the stack until a read goes
 * past its end, so while an import line is handled the frame it came from is still "active" (which
 * is what import-cycle detection needs). Crossing into or out of a frame always starts a new line.
 */
class TokenStream {
  readonly #frames: Frame[] = [];
  #prev: Token | null = null;
  #pushed = false;

  constructor(root: Segment) {
    this.#frames.push({ segments: [root], seg: 0, pos: 0 });
  }

  push(segments: readonly Segment[]): void {
    this.#frames.push({ segments, seg: 0, pos: 0 });
    this.#pushed = true;
  }

  /** The sources being expanded, outermost first (the current segment of each frame). */
  active(): string[] {
    return this.#frames.map((f) => f.segments[Math.min(f.seg, f.segments.length - 1)]!.source);
  }

  peek(): Peeked | null {
    const at = this.#locate();
    if (at === null) return null;
    return { token: at.token, newLine: this.#isNewLine(at.token, at.crossed) };
  }

  next(): Peeked | null {
    const at = this.#locate();
    if (at === null) return null;
    const newLine = this.#isNewLine(at.token, at.crossed);
    this.#frames.length = at.frame + 1;
    const f = this.#frames[at.frame]!;
    f.seg = at.seg;
    f.pos = at.pos + 1;
    this.#prev = at.token;
    this.#pushed = false;
    return { token: at.token, newLine };
  }

  #isNewLine(t: Token, crossed: boolean): boolean {
    const p = this.#prev;
    return p === null || crossed || this.#pushed || p.file !== t.file || p.endLine !== t.line;
  }

  #locate(): { token: Token; frame: number; seg: number; pos: number; crossed: boolean } | null {
    let crossed = false;
    for (let i = this.#frames.length - 1; i >= 0; i--) {
      const f = this.#frames[i]!;
      let seg = f.seg;
      let pos = f.pos;
      while (seg < f.segments.length) {
        const tokens = f.segments[seg]!.tokens;
        if (pos < tokens.length) return { token: tokens[pos]!, frame: i, seg, pos, crossed };
        seg++;
        pos = 0;
        crossed = true;
      }
      crossed = true;
    }
    return null;
  }
}

function isOpen(t: Token): boolean { return !t.quoted && t.text === '{'; }
function isClose(t: Token): boolean { return !t.quoted && t.text === '}'; }
function isImport(t: Token): boolean { return !t.quoted && t.text === 'import'; }

function fail(t: Token, reason: string, cause?: unknown): CorefileError {
  return new CorefileError(t.file, t.line, reason, cause === undefined ? undefined : { cause });
}

function errno(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

const SNIPPET_ARG = /\{args\[(\d+)\]\}/g;
const SNIPPET_ARGS_RANGE = /^\{args\[(\d*):(\d*)\]\}$/;

class Parser {
  readonly #stream: TokenStream;
  readonly #env: Env;
  readonly #readFile: (path: string) => string;
  readonly #listDir: (dir: string) => string[];
  readonly #warn: (message: string) => void;
  readonly #snippets = new Map<string, readonly Token[]>();
  #imports = 0;

  constructor(text: string, options: ParseOptions) {
    this.#env = options.env ?? processEnv();
    this.#readFile = options.readFile ?? nodeReadFile;
    this.#listDir = options.listDir ?? nodeListDir;
    this.#warn = options.onWarning ?? (() => {});
    this.#stream = new TokenStream({ source: `file:${options.file}`, tokens: tokenize(text, options.file) });
  }

  #word(t: Token): string {
    return replaceEnvVars(t.text, this.#env);
  }

  parseAll(): ServerBlock[] {
    const blocks: ServerBlock[] = [];
    for (;;) {
      const p = this.#stream.peek();
      if (p === null) return blocks;
      const t = p.token;
      if (isImport(t)) { this.#import(); continue; }
      if (isClose(t)) throw fail(t, "Unexpected '}' because no matching opening brace");
      if (isOpen(t)) throw fail(t, "Unexpected '{': a server block needs at least one key before '{'");
      const block = this.#serverBlock();
      if (block !== null) blocks.push(block);
    }
  }

  /** Reads the keys line and the block after it; null for a snippet definition (or no keys). */
  #serverBlock(): ServerBlock | null {
    const keyTokens: Array<{ token: Token; text: string }> = [];
    let expectingAnother = false;
    let last: Token | null = null;
    for (;;) {
      const p = this.#stream.peek();
      if (p === null) {
        if (expectingAnother) throw fail(last!, "Unexpected EOF: expecting another server block key after ','");
        break;
      }
      if (last !== null && p.newLine && !expectingAnother) break;
      const t = p.token;
      if (isOpen(t)) {
        if (expectingAnother) throw fail(t, "Expected another server block key but had '{' - check for an extra comma");
        break;
      }
      if (isClose(t)) throw fail(t, "Unexpected '}' because no matching opening brace");
      this.#stream.next();
      last = t;
      let text = this.#word(t);
      if (text === '') continue;
      expectingAnother = text.endsWith(',');
      if (expectingAnother) text = text.slice(0, -1);
      if (text !== '') keyTokens.push({ token: t, text });
    }
    const next = this.#stream.peek();
    const first = keyTokens[0];
    if (first === undefined) {
      if (next !== null && isOpen(next.token)) throw fail(next.token, "Unexpected '{': a server block needs at least one key before '{'");
      return null;
    }

    if (keyTokens.length === 1 && first.text.length > 2 && first.text.startsWith('(') && first.text.endsWith(')')) {
      this.#defineSnippet(first.token, first.text.slice(1, -1));
      return null;
    }

    const keys: ServerKey[] = keyTokens.map(({ token, text }) => {
      try {
        return parseServerKey(text);
      } catch (err) {
        if (err instanceof KeyError) throw fail(token, err.message, err);
        throw err;
      }
    });
    let directives: Directive[];
    if (next !== null && isOpen(next.token)) {
      this.#stream.next();
      directives = this.#lines(next.token);
    } else {
      // No brace: caddy's single-block form, the directives run to the end of the input.
      directives = this.#lines(null);
    }
    return { keys, directives, file: first.token.file, line: first.token.line };
  }

  #defineSnippet(at: Token, name: string): void {
    const open = this.#stream.next();
    if (open === null || !isOpen(open.token)) {
      const what = open === null ? 'EOF' : `'${open.token.text}'`;
      throw fail(open?.token ?? at, `Unexpected ${what}, expecting '{' after snippet (${name})`);
    }
    if (this.#snippets.has(name)) throw fail(at, `redeclaration of previously declared snippet ${name}`);
    const tokens: Token[] = [];
    let depth = 1;
    for (;;) {
      const p = this.#stream.next();
      if (p === null) throw fail(open.token, `Unexpected EOF: the '{' of snippet (${name}) is never closed`);
      const t = p.token;
      if (isClose(t) && --depth === 0) break;
      if (isOpen(t)) depth++;
      tokens.push(t);
    }
    this.#snippets.set(name, tokens);
  }

  /** Directive lines up to the `}` matching `open` (consumed), or to the end when open is null. */
  #lines(open: Token | null): Directive[] {
    const out: Directive[] = [];
    for (;;) {
      const p = this.#stream.peek();
      if (p === null) {
        if (open !== null) throw fail(open, "Unexpected EOF: this '{' is never closed");
        return out;
      }
      const t = p.token;
      if (isClose(t)) {
        if (open === null) throw fail(t, "Unexpected '}' because no matching opening brace");
        this.#stream.next();
        return out;
      }
      if (isOpen(t)) throw fail(t, "Unexpected '{': a block must follow a directive on the same line");
      if (isImport(t)) { this.#import(); continue; }
      out.push(this.#directive());
    }
  }

  #directive(): Directive {
    const nameToken = this.#stream.next()!.token;
    const args: string[] = [];
    let block: Directive[] | null = null;
    for (;;) {
      const p = this.#stream.peek();
      if (p === null || p.newLine) break;
      const t = p.token;
      if (isClose(t)) break; // closes the enclosing block: `health { lameduck 5s }`
      this.#stream.next();
      if (isOpen(t)) {
        block = this.#lines(t);
        const after = this.#stream.peek();
        if (after !== null && !after.newLine && !isClose(after.token)) {
          throw fail(after.token, `Unexpected '${after.token.text}' after the '}' closing the block of '${this.#word(nameToken)}'; start a new line`);
        }
        break;
      }
      args.push(this.#word(t));
    }
    return { name: this.#word(nameToken), args, block, file: nameToken.file, line: nameToken.line };
  }

  /** Handles `import PATTERN [ARGS…]` at the current position: pushes the tokens it names. */
  #import(): void {
    const at = this.#stream.next()!.token;
    const argTokens: Token[] = [];
    for (;;) {
      const p = this.#stream.peek();
      if (p === null || p.newLine || isClose(p.token)) break;
      if (isOpen(p.token)) throw fail(p.token, "Unexpected '{' after import: import takes no block");
      argTokens.push(this.#stream.next()!.token);
    }
    if (argTokens.length === 0) throw fail(at, "Wrong argument count or unexpected line ending after 'import'");
    const pattern = this.#word(argTokens[0]!);
    const args = argTokens.slice(1).map((t) => this.#word(t));
    if (pattern === '') throw fail(at, 'Import requires a non-empty filepath');
    if (++this.#imports > MAX_IMPORTS) throw fail(at, `maximum number of imports (${MAX_IMPORTS}) exceeded`);

    const snippet = this.#snippets.get(pattern);
    if (snippet !== undefined) {
      this.#checkCycle(at, `snippet:${pattern}`);
      this.#stream.push([{ source: `snippet:${pattern}`, tokens: this.#substitute(snippet, args, at, `snippet (${pattern})`) }]);
      return;
    }

    const path = posix.isAbsolute(pattern) ? posix.normalize(pattern) : posix.join(posix.dirname(at.file), pattern);
    const dir = posix.dirname(path);
    const base = posix.basename(path);
    let files: string[];
    if (hasGlobMeta(base)) {
      if (hasGlobMeta(dir)) throw fail(at, `Glob pattern may only use wildcards in its last path component: ${pattern}`);
      let names: string[];
      try {
        names = this.#listDir(dir);
      } catch {
        names = []; // like Go's filepath.Glob, a directory that cannot be read matches nothing
      }
      try {
        files = names.filter((n) => globMatch(base, n)).sort().map((n) => posix.join(dir, n));
      } catch (err) {
        if (err instanceof GlobError) throw fail(at, `Failed to use import pattern ${pattern}: ${err.message}`, err);
        throw err;
      }
      if (files.length === 0) this.#warn(`${at.file}:${at.line} - No files matching import glob pattern: ${pattern}`);
    } else {
      if (hasGlobMeta(dir)) throw fail(at, `Glob pattern may only use wildcards in its last path component: ${pattern}`);
      files = [path];
    }

    const segments: Segment[] = [];
    for (const file of files) {
      this.#checkCycle(at, `file:${file}`);
      let text: string;
      try {
        text = this.#readFile(file);
      } catch (err) {
        const code = errno(err);
        if (code === 'ENOENT' && files.length === 1 && !hasGlobMeta(base)) throw fail(at, `File to import not found: ${pattern}`, err);
        if (code === 'EISDIR') throw fail(at, `Could not import ${file}: is a directory`, err);
        throw fail(at, `Could not import ${file}: ${(err as Error).message}`, err);
      }
      // A file imported without arguments is taken as written, so the snippets it defines keep
      // their own {args[N]} placeholders.
      const tokens = tokenize(text, file);
      segments.push({ source: `file:${file}`, tokens: args.length > 0 ? this.#substitute(tokens, args, at, file) : tokens });
    }
    this.#stream.push(segments);
  }

  #checkCycle(at: Token, source: string): void {
    const active = this.#stream.active();
    const i = active.indexOf(source);
    if (i === -1) return;
    const show = (s: string): string => (s.startsWith('snippet:') ? `(${s.slice(8)})` : s.slice(5));
    const chain = [...active.slice(i), source].map(show).join(' -> ');
    throw fail(at, `import cycle: ${chain}`);
  }

  /** Replaces `{args[N]}` in tokens, and expands a token that is exactly `{args[A:B]}`. */
  #substitute(tokens: readonly Token[], args: readonly string[], at: Token, what: string): Token[] {
    const out: Token[] = [];
    for (const t of tokens) {
      if (!t.text.includes('{args[')) { out.push(t); continue; }
      const range = SNIPPET_ARGS_RANGE.exec(t.text);
      if (range !== null) {
        const from = range[1] === '' ? 0 : Number(range[1]);
        const to = range[2] === '' ? args.length : Number(range[2]);
        if (from > to || to > args.length) {
          throw fail(at, `argument range ${t.text} is out of range: ${what} was imported with ${args.length} argument(s)`);
        }
        for (const a of args.slice(from, to)) out.push({ ...t, text: a, quoted: true, endLine: t.line });
        continue;
      }
      const text = t.text.replace(SNIPPET_ARG, (_m, n: string) => {
        const v = args[Number(n)];
        if (v === undefined) throw fail(at, `argument {args[${n}]} is out of range: ${what} was imported with ${args.length} argument(s)`);
        return v;
      });
      out.push(text === t.text ? t : { ...t, text, quoted: true });
    }
    return out;
  }
}

/** Parses a Corefile into its server blocks (snippet definitions are not blocks). Throws CorefileError. */
export function parseCorefile(text: string, options: ParseOptions): ServerBlock[] {
  return new Parser(text, options).parseAll();
}
