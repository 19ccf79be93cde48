/** The ready plugin: /ready, 200 once every plugin reporting readiness is ready (plugin/ready). */
export { readyPlugin, parseReady, setupReady, DEFAULT_ADDRESS, READY_PATH } from './setup.ts';
export type { ReadyOptions } from './setup.ts';
export { Readiness } from './ready.ts';
export type { Monitor, ReadySource } from './ready.ts';
