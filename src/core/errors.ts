/**
 * Every error podns raises on purpose, each with a stable code documented in docs/errors.md
 * (a meta test keeps the two in sync). DnsError carries the rcode the server answers with when
 * no plugin has written a reply yet.
 */
import { Rcode } from '../dns/types.ts';

export const ErrorCodes = {
  PODNS_ERR_NO_NEXT_PLUGIN: 'the end of the plugin chain was reached without an answer (SERVFAIL)',
  PODNS_ERR_PLUGIN: 'a plugin failed while answering (SERVFAIL)',
  PODNS_ERR_CONFIG: 'the Corefile or a plugin stanza is invalid',
  PODNS_ERR_COREFILE: 'the Corefile could not be parsed',
  PODNS_ERR_WIRE: 'a DNS message is malformed',
  PODNS_ERR_MANIFEST: 'a manifest file or one of its documents is invalid',
  PODNS_ERR_LISTEN: 'a listener could not be opened',
  PODNS_ERR_USAGE: 'the command line is invalid',
  PODNS_ERR_NODECACHE_SETUP: "the node-local cache's interface or iptables rules could not be set up",
} as const;
export type ErrorCode = keyof typeof ErrorCodes;

export class DnsError extends Error {
  readonly code: ErrorCode;
  readonly rcode: number;
  readonly plugin: string | null;
  constructor(code: ErrorCode, message: string, rcode: number = Rcode.SERVFAIL, plugin: string | null = null) {
    super(message);
    this.name = 'DnsError';
    this.code = code;
    this.rcode = rcode;
    this.plugin = plugin;
  }
}

export class NoNextPluginError extends DnsError {
  constructor(plugin: string) {
    super('PODNS_ERR_NO_NEXT_PLUGIN', `plugin/${plugin}: no next plugin found`, Rcode.SERVFAIL, plugin);
    this.name = 'NoNextPluginError';
  }
}

/** A configuration error pointing at a file and line (Corefile, manifest, flags). */
export class ConfigError extends Error {
  readonly code: ErrorCode;
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, message: string, code: ErrorCode = 'PODNS_ERR_CONFIG') {
    super(`${file}:${line} - Error during setup: ${message}`);
    this.name = 'ConfigError';
    this.code = code;
    this.file = file;
    this.line = line;
  }
}

export class UsageError extends Error {
  readonly code: ErrorCode = 'PODNS_ERR_USAGE';
  constructor(message: string) { super(message); this.name = 'UsageError'; }
}
