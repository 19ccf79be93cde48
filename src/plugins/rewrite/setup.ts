/**
 * The rewrite stanza (CoreDNS plugin/rewrite: setup.go, rewrite.go newRule, name.go newNameRule
 * and parseAnswerRules, ttl.go, rcode.go, type.go, class.go), with CoreDNS's error texts:
 *
 *   rewrite [continue|stop] name [exact|prefix|suffix|substring|regex] FROM TO [answer auto|answer name FROM TO|answer value FROM TO]...
 *   rewrite [continue|stop] type FROM TO
 *   rewrite [continue|stop] class FROM TO
 *   rewrite [continue|stop] ttl [exact|prefix|suffix|substring|regex] NAME SECONDS|MIN-MAX
 *   rewrite [continue|stop] rcode [exact|prefix|suffix|substring|regex] NAME FROM TO
 *   rewrite [continue|stop] { RULE TOKENS... }     the block's tokens, in order, are one rule
 *
 * One directive is one rule. Patterns are compiled here, once. `edns0` and `cname` rules are
 * refused with an error saying podns does not support them.
 */
import type { Directive } from '../../corefile/index.ts';
import { ConfigError } from '../../core/errors.ts';
import { fqdn, lowerName } from '../../dns/name.ts';
import { Rcode, TYPE_MNEMONICS } from '../../dns/types.ts';
import type { GoRegex } from './regex.ts';
import { GoRegexError, Template, compileGoRegex, groupsUsed } from './regex.ts';
import type { Matcher, MatchType, Mode, ResponseRule, Rule } from './rules.ts';
import { ClassRule, NameRule, RegexRewriter, ResponseOnlyRule, TypeRule } from './rules.ts';

/** A rule error; the plugin turns it into a ConfigError at the directive. */
class RuleError extends Error {}

const MAX_REGEXP_LEN = 10_000;

/** CoreDNS plugin.Name(s).Normalize(): lower-case and absolute. */
function normalize(s: string): string {
  return lowerName(fqdn(s));
}

/** miekg/dns StringToClass. */
const CLASSES: Readonly<Record<string, number>> = { IN: 1, CS: 2, CH: 3, HS: 4, NONE: 254, ANY: 255 };

/** miekg/dns StringToRcode (16 is BADSIG there; NOTIMPL is its alias for NOTIMP). */
const RCODES: Readonly<Record<string, number>> = {
  ...Rcode, NOTIMPL: Rcode.NOTIMP, BADSIG: 16, BADKEY: 17, BADTIME: 18, BADMODE: 19, BADNAME: 20,
  BADALG: 21, BADTRUNC: 22, BADCOOKIE: 23,
};
delete (RCODES as Record<string, number>)['BADVERS'];

/** The tokens of one rule: the arguments, or with fewer than two the block's tokens after them. */
export function ruleTokens(d: Directive): string[] {
  if (d.args.length >= 2) {
    if (d.block !== null) throw new ConfigError(d.file, d.line, 'plugin/rewrite: a rule written on the rewrite line takes no block');
    return [...d.args];
  }
  const out = [...d.args];
  for (const c of d.block ?? []) {
    if (c.block !== null) throw new ConfigError(c.file, c.line, `plugin/rewrite: unexpected block after '${c.name}'`);
    out.push(c.name, ...c.args);
  }
  return out;
}

export function parseRewrite(d: Directive): Rule {
  try {
    return newRule(ruleTokens(d));
  } catch (err) {
    if (err instanceof RuleError) throw new ConfigError(d.file, d.line, `plugin/rewrite: ${err.message}`);
    throw err;
  }
}

/** CoreDNS newRule. */
export function newRule(args: readonly string[]): Rule {
  if (args.length === 0) throw new RuleError('no rule type specified for rewrite');
  const arg0 = args[0]!.toLowerCase();
  let mode: Mode = 'stop';
  let ruleType: string;
  let expectNumArgs: number;
  let start: number;
  if (arg0 === 'continue' || arg0 === 'stop') {
    if (args.length < 2) throw new RuleError(`${arg0} rule must begin with a rule type`);
    mode = arg0;
    ruleType = args[1]!.toLowerCase();
    expectNumArgs = args.length - 1;
    start = 2;
  } else {
    ruleType = arg0;
    expectNumArgs = args.length;
    start = 1;
  }
  const rest = args.slice(start);
  switch (ruleType) {
    case 'answer': throw new RuleError('response rewrites must begin with a name rule');
    case 'name': return newNameRule(mode, rest);
    case 'class':
      if (expectNumArgs !== 3) throw new RuleError(`${ruleType} rules must have exactly two arguments`);
      return new ClassRule(mode, lookup(CLASSES, rest[0]!, 'class'), lookup(CLASSES, rest[1]!, 'class'));
    case 'type':
      if (expectNumArgs !== 3) throw new RuleError(`${ruleType} rules must have exactly two arguments`);
      return new TypeRule(mode, lookup(TYPE_MNEMONICS, rest[0]!, 'type'), lookup(TYPE_MNEMONICS, rest[1]!, 'type'));
    case 'ttl': return newTTLRule(mode, rest);
    case 'rcode': return newRcodeRule(mode, rest);
    case 'edns0':
    case 'cname':
      throw new RuleError(`${ruleType} rules are not supported by podns (supported: name, type, class, ttl, rcode)`);
    default: throw new RuleError(`invalid rule type ${JSON.stringify(args[0])}`);
  }
}

function lookup(table: Readonly<Record<string, number>>, text: string, what: string): number {
  const v = table[text.toUpperCase()];
  if (v === undefined) throw new RuleError(`invalid ${what} ${JSON.stringify(text.toUpperCase())}`);
  return v;
}

/** CoreDNS isValidRegexPattern: compiles FROM and checks TO uses no more groups than it has. */
function validRegex(from: string, to: string): GoRegex {
  if (from.length > MAX_REGEXP_LEN) throw new RuleError(`regex pattern too long: ${from.length} > ${MAX_REGEXP_LEN}`);
  let re: GoRegex;
  try {
    re = compileGoRegex(from);
  } catch (err) {
    if (err instanceof GoRegexError) throw new RuleError(`invalid regex matching pattern: ${from}`);
    throw err;
  }
  if (groupsUsed(to) > re.groups) {
    throw new RuleError(`the rewrite regex pattern (${to}) uses more subexpressions than its corresponding matching regex pattern (${from})`);
  }
  return re;
}

const MATCH_TYPES: readonly string[] = ['exact', 'prefix', 'suffix', 'substring', 'regex'];

/** CoreDNS newNameRule. */
function newNameRule(mode: Mode, args: readonly string[]): Rule {
  if (args.length < 2) throw new RuleError('too few arguments for a name rule');
  let matchType: string;
  let from: string;
  let to: string;
  if (args.length === 2) {
    matchType = 'exact';
    from = normalize(args[0]!);
    to = normalize(args[1]!);
  } else {
    matchType = args[0]!.toLowerCase();
    if (matchType === 'regex') {
      from = args[1]!;
      to = args[2]!;
    } else {
      from = normalize(args[1]!);
      to = normalize(args[2]!);
    }
  }
  let auto = false;
  let answers: ResponseRule[] = [];
  if (args.length > 3) ({ auto, answers } = parseAnswerRules(matchType, args.slice(3)));
  switch (matchType) {
    case 'exact':
      // CoreDNS compiles TO as a pattern here (and checks FROM's group references against it).
      validRegex(to, from);
      return new NameRule(mode, 'exact', from, to, true, answers);
    case 'prefix':
    case 'suffix':
    case 'substring':
      return new NameRule(mode, matchType, from, to, auto, answers);
    case 'regex': {
      const pattern = validRegex(from, to);
      const replacement = normalize(args[2]!);
      return new NameRule(mode, 'regex', from, replacement, auto, answers, { pattern, template: new Template(replacement, pattern.groups) });
    }
    default:
      throw new RuleError(`name rule supports only exact, prefix, suffix, substring, and regex name matching, received: ${matchType}`);
  }
}

/** CoreDNS parseAnswerRules: `answer auto`, `answer name FROM TO`, `answer value FROM TO`, `answer` optional after the first. */
function parseAnswerRules(name: string, args: readonly string[]): { auto: boolean; answers: ResponseRule[] } {
  let auto = false;
  let i = 0;
  let nameRules = 0;
  let last = '';
  const answers: ResponseRule[] = [];
  if (args.length < 2) throw new RuleError(`invalid arguments for ${name} rule`);
  while (i < args.length) {
    if (last === '' && args[i] !== 'answer') throw new RuleError(`exceeded the number of arguments for a non-answer rule argument for ${name} rule`);
    if (args[i] === 'answer') i++;
    if (args.length - i === 0) throw new RuleError(`type missing for answer rule for ${name} rule`);
    last = args[i]!;
    i++;
    switch (last) {
      case 'auto':
        auto = true;
        continue;
      case 'name':
      case 'value': {
        if (args.length - i < 2) throw new RuleError(`${last} answer rule for ${name} rule: 2 arguments required`);
        const from = args[i]!;
        const toRaw = args[i + 1]!;
        let pattern: GoRegex;
        try {
          pattern = validRegex(from, toRaw);
        } catch (err) {
          if (err instanceof RuleError) throw new RuleError(`${last} answer rule for ${name} rule: ${err.message}`);
          throw err;
        }
        const to = normalize(toRaw);
        const rewriter = new RegexRewriter(pattern, new Template(to, pattern.groups));
        answers.push(last === 'name' ? { kind: 'name', rewriter } : { kind: 'value', rewriter });
        i += 2;
        if (last === 'name') nameRules++;
        break;
      }
      default:
        throw new RuleError(`invalid type ${JSON.stringify(last)} for answer rule for ${name} rule`);
    }
  }
  if (auto && nameRules > 0) throw new RuleError('auto name answer rule cannot be combined with explicit name anwer rules');
  return { auto, answers };
}

/** The name matcher of ttl and rcode rules (`what` names the rule in errors). */
function matcher(type: string, text: string, what: string): Matcher {
  const t = type.toLowerCase();
  if (t === 'regex') {
    if (text.length > MAX_REGEXP_LEN) throw new RuleError(`regex pattern too long in a ${what} rule: ${text.length} > ${MAX_REGEXP_LEN}`);
    try {
      return { type: 'regex', pattern: compileGoRegex(text) };
    } catch (err) {
      if (err instanceof GoRegexError) throw new RuleError(`invalid regex pattern in a ${what} rule: ${text}`);
      throw err;
    }
  }
  if (!MATCH_TYPES.includes(t)) throw new RuleError(`${what} rule supports only exact, prefix, suffix, substring, and regex name matching`);
  return { type: t as Exclude<MatchType, 'regex'>, text: normalize(text) };
}

const MAX_TTL = 2_147_483_647;
const U32 = 4_294_967_295;

/** CoreDNS isValidTTL: `N`, `MIN-MAX`, `-MAX`, `MIN-`. */
export function parseTTL(v: string): [number, number] | null {
  const uint = (s: string): number | null => (/^[0-9]+$/.test(s) && Number(s) <= U32 ? Number(s) : null);
  const parts = v.split('-');
  if (parts.length === 1) {
    const n = uint(parts[0]!);
    return n === null ? null : [n, n];
  }
  if (parts.length !== 2) return null;
  const [a, b] = parts as [string, string];
  const min = a === '' ? 0 : uint(a);
  if (min === null) return null;
  let max: number | null;
  if (b === '') {
    if (a === '') return null; // "-" alone
    max = MAX_TTL;
  } else {
    max = uint(b);
  }
  if (max === null || min > max) return null;
  return [min, max];
}

/** CoreDNS newTTLRule. */
function newTTLRule(mode: Mode, args: readonly string[]): Rule {
  if (args.length < 2) throw new RuleError(`too few (${args.length}) arguments for a ttl rule`);
  const s = args.length === 2 ? args[1]! : args.length === 3 ? args[2]! : '';
  const ttl = parseTTL(s);
  if (ttl === null) throw new RuleError(`invalid TTL '${s}' for a ttl rule`);
  const m = args.length === 3 ? matcher(args[0]!, args[1]!, 'ttl') : { type: 'exact' as const, text: normalize(args[0]!) };
  return new ResponseOnlyRule(mode, m, { kind: 'ttl', min: ttl[0], max: ttl[1] });
}

/** CoreDNS isValidRCode: 0..23, or a mnemonic. */
function parseRcode(v: string): number | null {
  if (/^[0-9]+$/.test(v) && Number(v) <= 23) return Number(v);
  return RCODES[v.toUpperCase()] ?? null;
}

/** CoreDNS newRCodeRule. */
function newRcodeRule(mode: Mode, args: readonly string[]): Rule {
  if (args.length < 3) throw new RuleError(`too few (${args.length}) arguments for a rcode rule`);
  const [oldText, newText] = args.length === 3 ? [args[1]!, args[2]!] : args.length === 4 ? [args[2]!, args[3]!] : ['', ''];
  const from = parseRcode(oldText);
  if (from === null) throw new RuleError(`invalid matching RCODE '${oldText}' for a rcode rule`);
  const to = parseRcode(newText);
  if (to === null) throw new RuleError(`invalid replacement RCODE '${newText}' for a rcode rule`);
  const m = args.length === 4 ? matcher(args[0]!, args[1]!, 'rcode') : { type: 'exact' as const, text: normalize(args[0]!) };
  return new ResponseOnlyRule(mode, m, { kind: 'rcode', from, to });
}
