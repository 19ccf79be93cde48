/** The log plugin: one line per query, CoreDNS's formats, or JSON (plugin/log). */
export { logPlugin, parseLog, setupLog, DEFAULT_MIN_DURATION } from './setup.ts';
export type { LogOptions, LogRule, LogOutput } from './setup.ts';
export { QueryLogger, jsonRecord } from './logger.ts';
export { COMMON_LOG_FORMAT, COMBINED_LOG_FORMAT, parseFormat, render } from './format.ts';
