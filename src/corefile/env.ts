/**
 * Environment substitution as CoreDNS does it (caddy v1 replaceEnvVars): per token, after lexing,
 * `{%NAME%}` first and then `{$NAME}`; an unset name becomes the empty string; a reference without
 * its closing delimiter, or with an empty name, is left as written. Because it works on tokens, a
 * value with spaces stays one token and a `#` in a value is not a comment.
 */

export type Env = Readonly<Record<string, string | undefined>>;

function replaceRefs(s: string, start: string, end: string, env: Env): string {
  let out = '';
  let from = 0;
  for (;;) {
    const open = s.indexOf(start, from);
    if (open === -1) break;
    const close = s.indexOf(end, open + start.length);
    // caddy stops at the first malformed reference: no closing delimiter, or an empty name.
    if (close === -1 || close === open + start.length) break;
    out += s.slice(from, open) + (env[s.slice(open + start.length, close)] ?? '');
    from = close + end.length;
  }
  return out + s.slice(from);
}

export function replaceEnvVars(s: string, env: Env): string {
  if (!s.includes('{')) return s;
  return replaceRefs(replaceRefs(s, '{%', '%}', env), '{$', '}', env);
}
