/**
 * Rewrite rules (CoreDNS plugin/rewrite: name.go, type.go, class.go, ttl.go, rcode.go) and the
 * response rules they leave behind for the reply (reverter.go).
 *
 * A rule looks at the question as rewritten so far (`Question`: the lower-cased name, the type,
 * the class, as CoreDNS's state.Name()/QType() see it), may change it, and returns the response
 * rules to apply to the reply, or null when it does not match. Everything a rule needs is built
 * at parse time (patterns compiled, names normalised); only rules whose reverse mapping depends
 * on the query (`answer auto` on prefix, substring and regex rules) allocate per query.
 */
import type { GoRegex, Template } from './regex.ts';

export type Mode = 'stop' | 'continue';

/** The question as the rules see and change it. `name` is lower-case and absolute. */
export interface Question {
  name: string;
  type: number;
  class: number;
}

/** Maps one string to another (an owner name, a record's target). */
export interface StringRewriter {
  rewrite(src: string): string;
}

/** What is done to the reply: per record (name, value, ttl) or to the message (rcode). */
export type ResponseRule =
  | { readonly kind: 'name'; readonly rewriter: StringRewriter }
  | { readonly kind: 'value'; readonly rewriter: StringRewriter }
  | { readonly kind: 'ttl'; readonly min: number; readonly max: number }
  | { readonly kind: 'rcode'; readonly from: number; readonly to: number };

export interface Rule {
  readonly mode: Mode;
  /** Applies the rule to `q`; the response rules to apply to the reply, or null when it does not match. */
  apply(q: Question): readonly ResponseRule[] | null;
}

const NO_RULES: readonly ResponseRule[] = [];

/** Replaces a name that matches `pattern` with the filled-in template (CoreDNS regexStringRewriter). */
export class RegexRewriter implements StringRewriter {
  readonly #pattern: GoRegex;
  readonly #template: Template;
  constructor(pattern: GoRegex, template: Template) { this.#pattern = pattern; this.#template = template; }
  rewrite(src: string): string {
    const m = this.#pattern.re.exec(src);
    return m === null ? src : this.#template.expand(m);
  }
}

/** Maps `orig` and names below it to `replacement` (CoreDNS remapStringRewriter). */
export class RemapRewriter implements StringRewriter {
  readonly #orig: string;
  readonly #dotOrig: string;
  readonly #replacement: string;
  constructor(orig: string, replacement: string) { this.#orig = orig; this.#dotOrig = '.' + orig; this.#replacement = replacement; }
  rewrite(src: string): string {
    if (src === this.#orig) return this.#replacement;
    if (src.endsWith(this.#dotOrig)) return src.slice(0, src.length - this.#orig.length) + this.#replacement;
    return src;
  }
}

/** Replaces a suffix (CoreDNS suffixStringRewriter). */
export class SuffixRewriter implements StringRewriter {
  readonly #suffix: string;
  readonly #replacement: string;
  constructor(suffix: string, replacement: string) { this.#suffix = suffix; this.#replacement = replacement; }
  rewrite(src: string): string {
    return src.endsWith(this.#suffix) ? src.slice(0, src.length - this.#suffix.length) + this.#replacement : src;
  }
}

/** The reverse mapping of a name rewrite: names and values. */
function both(rewriter: StringRewriter): ResponseRule[] {
  return [{ kind: 'name', rewriter }, { kind: 'value', rewriter }];
}

export type MatchType = 'exact' | 'prefix' | 'suffix' | 'substring' | 'regex';

/** How a rule recognises a name: what CoreDNS's exact/prefix/suffix/substring/regex rules test. */
export type Matcher =
  | { readonly type: 'exact' | 'prefix' | 'suffix' | 'substring'; readonly text: string }
  | { readonly type: 'regex'; readonly pattern: GoRegex };

export function matches(m: Matcher, name: string): boolean {
  switch (m.type) {
    case 'exact': return name === m.text;
    case 'prefix': return name.startsWith(m.text);
    case 'suffix': return name.endsWith(m.text);
    case 'substring': return name.includes(m.text);
    case 'regex': return m.pattern.re.test(name);
  }
}

/**
 * `name` rules. `auto` adds, per query, the mapping from the rewritten name back to the asked one
 * (exact rules always do: theirs is fixed, so it is built once); `answers` are the explicit
 * `answer name` / `answer value` rules.
 */
export class NameRule implements Rule {
  readonly mode: Mode;
  readonly match: MatchType;
  readonly #from: string;
  readonly #to: string;
  readonly #pattern: GoRegex | null;
  readonly #template: Template | null;
  readonly #auto: boolean;
  readonly #static: readonly ResponseRule[];

  constructor(mode: Mode, match: MatchType, from: string, to: string, auto: boolean, answers: readonly ResponseRule[], regex: { pattern: GoRegex; template: Template } | null = null) {
    this.mode = mode;
    this.match = match;
    this.#from = from;
    this.#to = to;
    this.#pattern = regex?.pattern ?? null;
    this.#template = regex?.template ?? null;
    if (match === 'exact') {
      // The asked name is always `from`: the reverse mapping is fixed.
      this.#auto = false;
      this.#static = [...both(new RemapRewriter(to, from)), ...answers];
    } else if (match === 'suffix' && auto) {
      // A suffix rewrite is reverted by the opposite suffix rewrite.
      this.#auto = false;
      this.#static = [...both(new SuffixRewriter(to, from)), ...answers];
    } else {
      this.#auto = auto;
      this.#static = answers;
    }
  }

  apply(q: Question): readonly ResponseRule[] | null {
    const old = q.name;
    let name: string;
    switch (this.match) {
      case 'exact':
        if (old !== this.#from) return null;
        name = this.#to;
        break;
      case 'prefix':
        if (!old.startsWith(this.#from)) return null;
        name = this.#to + old.slice(this.#from.length);
        break;
      case 'suffix':
        if (!old.endsWith(this.#from)) return null;
        name = old.slice(0, old.length - this.#from.length) + this.#to;
        break;
      case 'substring':
        if (!old.includes(this.#from)) return null;
        name = old.replaceAll(this.#from, this.#to);
        break;
      case 'regex': {
        const m = this.#pattern!.re.exec(old);
        if (m === null) return null;
        name = this.#template!.expand(m);
        break;
      }
    }
    q.name = name;
    if (!this.#auto) return this.#static;
    return [...both(new RemapRewriter(name, old)), ...this.#static];
  }
}

/** `type FROM TO`: the query type. */
export class TypeRule implements Rule {
  readonly mode: Mode;
  readonly from: number;
  readonly to: number;
  constructor(mode: Mode, from: number, to: number) { this.mode = mode; this.from = from; this.to = to; }
  apply(q: Question): readonly ResponseRule[] | null {
    if (this.from <= 0 || this.to <= 0 || q.type !== this.from) return null;
    q.type = this.to;
    return NO_RULES;
  }
}

/** `class FROM TO`: the query class. */
export class ClassRule implements Rule {
  readonly mode: Mode;
  readonly from: number;
  readonly to: number;
  constructor(mode: Mode, from: number, to: number) { this.mode = mode; this.from = from; this.to = to; }
  apply(q: Question): readonly ResponseRule[] | null {
    if (this.from <= 0 || this.to <= 0 || q.class !== this.from) return null;
    q.class = this.to;
    return NO_RULES;
  }
}

/** `ttl` and `rcode` rules: the question is left alone; a matching name gets a response rule. */
export class ResponseOnlyRule implements Rule {
  readonly mode: Mode;
  readonly matcher: Matcher;
  readonly #rules: readonly ResponseRule[];
  constructor(mode: Mode, matcher: Matcher, rule: ResponseRule) { this.mode = mode; this.matcher = matcher; this.#rules = [rule]; }
  apply(q: Question): readonly ResponseRule[] | null {
    return matches(this.matcher, q.name) ? this.#rules : null;
  }
}
