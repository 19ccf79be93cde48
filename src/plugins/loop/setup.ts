/**
 * The loop stanza (CoreDNS plugin/loop/setup.go): `loop`, no arguments, no block, once per server
 * block. The zone it probes is the block's first zone.
 */
import type { Directive } from '../../corefile/index.ts';
import { ConfigError } from '../../core/errors.ts';

export interface LoopOptions {
  /** The zone of the probe name: the server block's first zone (`.` when it has none). */
  readonly zone: string;
}

export function parseLoop(d: Directive, zones: readonly string[]): LoopOptions {
  const extra = d.args[0];
  if (extra !== undefined) throw new ConfigError(d.file, d.line, `plugin/loop: Wrong argument count or unexpected line ending after '${extra}'`);
  if (d.block !== null) throw new ConfigError(d.file, d.line, "plugin/loop: Wrong argument count or unexpected line ending after '{'");
  return { zone: zones[0] ?? '.' };
}
