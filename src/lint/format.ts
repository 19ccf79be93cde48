/** Findings as text (one line each, compiler style, then a summary) and as JSON. */
import type { Finding } from './types.ts';
import { describeRef } from './types.ts';

function counts(findings: readonly Finding[]): { errors: number; warnings: number } {
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { errors, warnings: findings.length - errors };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `FILE:LINE: SEVERITY [RULE] Kind ns/name: message` (`API-PATH: ...` for live objects), one per line, then `N errors, M warnings`. */
export function formatText(findings: readonly Finding[]): string {
  let out = '';
  for (const f of findings) {
    // Objects read from an API server have no line: their file is their API path.
    out += `${f.file}${f.line > 0 ? `:${f.line}` : ''}: ${f.severity} [${f.rule}] ${f.object === null ? '' : `${describeRef(f.object)}: `}${f.message}\n`;
  }
  const { errors, warnings } = counts(findings);
  out += findings.length === 0 ? 'no problems found\n' : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n`;
  return out;
}

/** `{"findings": [{rule, severity, file, line, object, field, message}], "errors": N, "warnings": N}`. */
export function formatJSON(findings: readonly Finding[]): string {
  const { errors, warnings } = counts(findings);
  return JSON.stringify({
    findings: findings.map((f) => ({
      rule: f.rule, severity: f.severity, file: f.file, line: f.line, object: f.object, field: f.field, message: f.message,
    })),
    errors,
    warnings,
  }, null, 2) + '\n';
}
