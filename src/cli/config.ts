/**
 * Reading a Corefile from disk for `serve` (at start and on every reload) and `validate`: the
 * parsed blocks and a SHA-512 over the Corefile's text and every file it imports, in the order
 * read, so an edit to an imported file is a change too (CoreDNS hashes the main file only).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ServerBlock } from '../corefile/index.ts';
import { parseCorefile } from '../corefile/index.ts';
import { UsageError } from '../core/errors.ts';
import type { LoadedConfig } from '../server/server.ts';

export interface LoadOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly onWarning?: (message: string) => void;
  /**
   * Rewrites the main file's text before it is parsed (nodecache's __PILLAR__ placeholders); a
   * throw is a broken configuration. The hash stays that of the text as read.
   */
  readonly transform?: (text: string, file: string) => string;
}

/** Reads and parses `file`; a missing main file is a UsageError, a bad one `{ error }` with the hash. */
export function loadCorefile(file: string, options: LoadOptions = {}): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the Corefile ${file}: ${(err as Error).message}`);
  }
  const hash = createHash('sha512');
  hash.update(text);
  const readFile = (path: string): string => {
    const body = readFileSync(path, 'utf8');
    hash.update(`\0${path}\0`).update(body);
    return body;
  };
  let blocks: ServerBlock[];
  try {
    if (options.transform !== undefined) text = options.transform(text, file);
    blocks = parseCorefile(text, {
      file, env: options.env ?? process.env, readFile,
      ...(options.onWarning !== undefined ? { onWarning: options.onWarning } : {}),
    });
  } catch (err) {
    return { hash: hash.digest('hex'), error: err as Error };
  }
  return { hash: hash.digest('hex'), blocks };
}
