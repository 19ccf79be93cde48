/**
 * The native addon (native/udp.c, built by `npm ci` into build/): batched UDP for the listeners
 * (transport/udp-batch.ts) and trimNativeHeap(). Linux only, and only when built (it needs a C
 * compiler); `native.reason` says why it is missing. Everything it does has a pure JavaScript
 * fallback or is an optimisation, so podns runs without it.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** What native/udp.c exports; the socket class is described in transport/udp-batch.ts. */
export interface NativeAddon {
  readonly BatchSocket: new (host: string, port: number, reusePort: boolean, rcvbuf: number, onBatch: (n: number) => void) => unknown;
  readonly SLOT: number;
  readonly META: number;
  readonly TX_META: number;
  readonly TX_MAX: number;
  readonly TX_BYTES: number;
  /** glibc's malloc_trim(0); true when memory was given back. */
  trim(): boolean;
}

/** Where native/build.mjs puts the addon: build/ at the package root (from src/core/ and dist/core/ alike). */
export const ADDON_PATH = fileURLToPath(new URL('../../build/podns_udp.node', import.meta.url));

function load(): { addon: NativeAddon | null; reason: string } {
  if (process.platform !== 'linux') return { addon: null, reason: 'not Linux' };
  try {
    return { addon: createRequire(import.meta.url)(ADDON_PATH) as NativeAddon, reason: '' };
  } catch (err) {
    return { addon: null, reason: `the addon is not built (npm run build:native): ${(err as Error).message.split('\n')[0]}` };
  }
}

export const native: { readonly addon: NativeAddon | null; readonly reason: string } = load();

/**
 * Gives the C heap's free memory back to the system. V8 frees its compilers' and collector's
 * scratch memory to malloc, which keeps it resident: after a few seconds of queries at 10k
 * services, 7.5 MiB of the process's 46 MiB of anonymous memory (npm run bench:scale, then
 * malloc_trim from a debugger). False when nothing was given back or the addon is missing.
 */
export function trimNativeHeap(): boolean {
  return native.addon?.trim() ?? false;
}
