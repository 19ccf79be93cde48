/**
 * Keeps a HostsTable in step with its file (CoreDNS Hostsfile.readHosts): refresh() looks at the
 * file's modification time and size and, only when either changed, reads and parses it and swaps
 * the new map into the table in one step. A file that cannot be read leaves the table as it was
 * (its last good contents keep being served, inline entries always are) and logs a warning once
 * per kind of failure, not at every poll.
 */
import { open } from 'node:fs/promises';
import type { Logger } from '../../core/log.ts';
import { parseHostsText } from './hostsfile.ts';
import { hostsEntries, hostsReloadTime } from './metrics.ts';
import type { HostsTable } from './table.ts';

export interface ReaderOptions {
  readonly path: string;
  readonly origins: readonly string[];
  readonly autoReverse: boolean;
}

export class HostsFileReader {
  readonly #options: ReaderOptions;
  readonly #table: HostsTable;
  readonly #log: Logger;
  #mtimeNs = -1n;
  #size = -1n;
  /** The error code of the failure last reported, so a missing file is not reported every 5 s. */
  #failing: string | null;
  #running: Promise<boolean> | null = null;

  /** `reported` is a failure setup already logged (ENOENT for "File does not exist"). */
  constructor(options: ReaderOptions, table: HostsTable, log: Logger, reported: string | null = null) {
    this.#options = options;
    this.#table = table;
    this.#log = log;
    this.#failing = reported;
  }

  /** Re-reads the file if it changed; resolves to whether a new table was swapped in. Never rejects. */
  refresh(): Promise<boolean> {
    // One read at a time: a slow read and the next tick must not race to swap.
    this.#running ??= this.#read().finally(() => { this.#running = null; });
    return this.#running;
  }

  async #read(): Promise<boolean> {
    const { path } = this.#options;
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      this.#failed(err);
      return false;
    }
    try {
      const st = await handle.stat({ bigint: true });
      if (st.mtimeNs === this.#mtimeNs && st.size === this.#size) return false;
      const text = await handle.readFile('utf8');
      this.#table.setFile(parseHostsText(text, this.#options.origins, this.#options.autoReverse));
      this.#mtimeNs = st.mtimeNs;
      this.#size = st.size;
      hostsEntries.set(this.#table.size);
      hostsReloadTime.set(Number(st.mtimeNs) / 1e9);
      if (this.#failing !== null) this.#log.info(`Hosts file ${JSON.stringify(path)} is readable again`);
      this.#failing = null;
      return true;
    } catch (err) {
      this.#failed(err);
      return false;
    } finally {
      await handle.close();
    }
  }

  #failed(err: unknown): void {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    if (code === this.#failing) return;
    this.#failing = code;
    this.#log.warn(`Failed to read hosts file ${JSON.stringify(this.#options.path)}: ${(err as Error).message}; keeping the entries read before`);
  }
}
