/**
 * The shapes the Corefile parser produces: server blocks with their normalised keys, and the
 * directive tree inside each block. Pure data, shared by every file of this folder and re-exported
 * from index.ts for the server and the plugins.
 */

/** One Corefile line `name args…`, with its `{ … }` block when it has one. */
export interface Directive {
  readonly name: string;
  readonly args: readonly string[];
  /** The nested lines between `{` and `}`; null when the directive has no block. */
  readonly block: readonly Directive[] | null;
  /** The file the directive's first token came from (an imported file keeps its own path). */
  readonly file: string;
  /** The line of the directive's first token. */
  readonly line: number;
}

export type Scheme = 'dns' | 'tls' | 'https' | 'grpc' | 'quic' | 'https3';

/** One server block key `[SCHEME://]ZONE[:PORT]`. */
export interface ServerKey {
  /** The key as written (after environment substitution, without a trailing comma). */
  readonly raw: string;
  readonly scheme: Scheme;
  /** Lower-case absolute zones; a CIDR key expands to one or more reverse zones. Never empty. */
  readonly zones: readonly string[];
  /** null when no port was written: the caller applies 53 or the -dns.port flag. */
  readonly port: number | null;
}

export interface ServerBlock {
  readonly keys: readonly ServerKey[];
  readonly directives: readonly Directive[];
  /** File and line of the block's first key. */
  readonly file: string;
  readonly line: number;
}

export interface ParseOptions {
  /** Path of the Corefile; used in errors and as the base of relative imports. */
  readonly file: string;
  /** Values for `{$NAME}` / `{%NAME%}`; unset names become "". Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Reads an imported file as UTF-8 text. Default: node:fs readFileSync. */
  readonly readFile?: (path: string) => string;
  /** Lists the entry names of a directory, for glob imports. Default: node:fs readdirSync. */
  readonly listDir?: (dir: string) => string[];
  /** Told about things CoreDNS only logs (an import glob that matches nothing). */
  readonly onWarning?: (message: string) => void;
}
