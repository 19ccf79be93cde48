/** The errors plugin: logs the chain's failures, optionally consolidated (plugin/errors). */
export { errorsPlugin, parseErrors, setupErrors, compilePattern, MAX_REGEXP_LENGTH } from './setup.ts';
export { ErrorLog, ErrorsHandler, realTimers } from './errors.ts';
export type { Consolidate, ErrorsOptions, LogLevel, Timers } from './errors.ts';
