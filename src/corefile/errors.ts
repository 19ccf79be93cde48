/**
 * CorefileError: every error of this folder, parse or plugin-stanza, pointing at a file and line.
 * The message follows CoreDNS (caddy's Dispenser.Err): `FILE:LINE - Error during parsing: WHAT`.
 */

export class CorefileError extends Error {
  readonly code = 'PODNS_ERR_COREFILE' as const;
  readonly file: string;
  readonly line: number;
  /** The message without the `FILE:LINE - Error during parsing: ` prefix. */
  readonly reason: string;

  constructor(file: string, line: number, reason: string, options?: ErrorOptions) {
    super(`${file}:${line} - Error during parsing: ${reason}`, options);
    this.name = 'CorefileError';
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}
