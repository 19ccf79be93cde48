/**
 * Go's time.Duration.String(), for the durations CoreDNS prints ("5m0s", "1.5s", "300ms"): errors'
 * "occurred in last 5m0s" for `consolidate 5m`, health's "Going into lameduck mode for 5s". The
 * inverse of parseDuration (directive.ts).
 */

/** `int.frac` of v / 10^prec, trailing zeros of the fraction dropped. */
function frac(v: number, prec: number): string {
  const scale = 10 ** prec;
  const whole = Math.floor(v / scale);
  const digits = String(v % scale).padStart(prec, '0').replace(/0+$/, '');
  return digits === '' ? String(whole) : `${whole}.${digits}`;
}

export function goDuration(ns: number): string {
  let u = Math.round(Math.abs(ns));
  const sign = ns < 0 ? '-' : '';
  if (u === 0) return '0s';
  if (u < 1e3) return `${sign}${u}ns`;
  if (u < 1e6) return `${sign}${frac(u, 3)}µs`;
  if (u < 1e9) return `${sign}${frac(u, 6)}ms`;
  let out = `${frac(u % 60e9, 9)}s`;
  u = Math.floor(u / 60e9);
  if (u > 0) {
    out = `${u % 60}m${out}`;
    u = Math.floor(u / 60);
    if (u > 0) out = `${u}h${out}`;
  }
  return sign + out;
}

/** goDuration of a duration in milliseconds (corefile parseDuration's unit). */
export function goDurationMs(ms: number): string {
  return goDuration(ms * 1e6);
}
