/** The prometheus plugin: CoreDNS's metrics on /metrics (plugin/metrics). */
export { prometheusPlugin, parsePrometheus, setupPrometheus, serverLabel, DEFAULT_ADDRESS, METRICS_PATH } from './setup.ts';
export type { PrometheusOptions } from './setup.ts';
export { recordQuery } from './observer.ts';
