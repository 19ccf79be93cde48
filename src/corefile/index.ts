/**
 * The Corefile parser's public surface: parseCorefile (text → ServerBlock[]), the shapes it
 * returns, CorefileError, and the helpers plugin parsers use on a Directive. This folder imports
 * nothing from the rest of podns; file access and the environment are injected (fs.ts holds the
 * node:fs / process.env defaults).
 */
export type { Directive, ParseOptions, Scheme, ServerBlock, ServerKey } from './types.ts';
export { CorefileError } from './errors.ts';
export { MAX_IMPORTS, parseCorefile } from './parser.ts';
export { KeyError, normalizeZone, parseServerKey } from './keys.ts';
export { Args, argError, configError, expectArgs, expectNoBlock, parseDuration, parseUint, zonesFromArgs } from './directive.ts';
export { goDuration, goDurationMs } from './duration.ts';
