/** The health plugin: /health, lameduck, and the self-check metrics (plugin/health). */
export { healthPlugin, parseHealth, setupHealth, DEFAULT_ADDRESS, HEALTH_PATH, CHECK_INTERVAL_MS } from './setup.ts';
export type { HealthOptions } from './setup.ts';
export { SelfCheck, loopbackUrl } from './health.ts';
