/**
 * The acl stanza (CoreDNS plugin/acl setup.go), with CoreDNS's error texts:
 *   acl [ZONES...] {
 *       ACTION [type QTYPE...] [net SOURCE...]
 *   }
 * ACTION is allow, block, filter or drop, and the section words type and net, in any case; the
 * sections come in any order, each as often as wanted. `*` among a section's values (or the whole
 * section left out) means any type or any address; QTYPE is a miekg/dns mnemonic in upper case; a
 * SOURCE without a prefix is one address (/32, or /128 when it has a colon). ZONES default to the
 * server block's. One directive is one rule. CoreDNS reads every acl directive of a block into one
 * handler, so that an allow in one rule passes a query over the rules after it: the first acl
 * directive of a block sets the handler up, the others add their rule to it.
 */
import type { Directive } from '../../corefile/index.ts';
import { configError, zonesFromArgs } from '../../corefile/index.ts';
import type { PluginFactory, SetupContext } from '../../core/handler.ts';
import type { CIDR } from '../../dns/ip.ts';
import { parseCIDR } from '../../dns/ip.ts';
import { TYPE_MNEMONICS } from '../../dns/types.ts';
import { AclHandler } from './acl.ts';

export type Action = 'allow' | 'block' | 'filter' | 'drop';

/** One ACTION line: what to do with a query of one of `types` from an address in `nets`. */
export interface Policy {
  readonly action: Action;
  /** The query types it applies to; null for any. */
  readonly types: ReadonlySet<number> | null;
  /** The client networks it applies to; null for any address. */
  readonly nets: readonly CIDR[] | null;
}

/** One acl directive: its policies, first match wins, for the query names in its zones. */
export interface AclRule {
  /** Lower case, absolute. */
  readonly zones: readonly string[];
  readonly policies: readonly Policy[];
}

const ACTIONS: readonly string[] = ['allow', 'block', 'filter', 'drop'] satisfies readonly Action[];

/** Where the block's first acl directive leaves its rule list for the others (SetupContext.provide). */
const RULES = 'acl/rules';

const isSection = (token: string): boolean => { const t = token.toLowerCase(); return t === 'type' || t === 'net'; };

/** CoreDNS normalize: a bare address is a /32, or a /128 when it has a colon. */
const withPrefix = (net: string): string => net.includes('/') ? net : `${net}/${net.includes(':') ? 128 : 32}`;

export function parseAcl(d: Directive, blockZones: readonly string[]): AclRule {
  const zones = d.args.length > 0 ? zonesFromArgs(d.args, d, 'acl') : [...blockZones];
  return { zones, policies: (d.block ?? []).map(parsePolicy) };
}

function parsePolicy(c: Directive): Policy {
  const fail = (message: string): Error => configError(c, message, 'acl');
  const action = c.name.toLowerCase();
  if (!ACTIONS.includes(action)) throw fail(`unexpected token ${JSON.stringify(c.name)}; expect 'allow', 'block', 'filter' or 'drop'`);
  if (c.block !== null) throw fail(`unexpected token "{"; expect 'type | net'`);
  // null: no section, any type or address; a `*` makes it any too.
  let types: Set<number> | null = null;
  let nets: CIDR[] | null = null;
  let anyType = false;
  let anyNet = false;
  const tokens = c.args;
  for (let i = 0; i < tokens.length;) {
    if (!isSection(tokens[i]!)) throw fail(`unexpected token ${JSON.stringify(tokens[i])}; expect 'type | net'`);
    const section = tokens[i]!.toLowerCase();
    let end = i + 1;
    while (end < tokens.length && !isSection(tokens[end]!)) end++;
    const values = tokens.slice(i + 1, end);
    i = end;
    if (values.length === 0) throw fail(`no token specified in ${JSON.stringify(section)} section`);
    // As in CoreDNS, a `*` ends its section: the values after it are not read.
    if (section === 'type') {
      types ??= new Set();
      for (const v of values) {
        if (v === '*') { anyType = true; break; }
        const t = Object.hasOwn(TYPE_MNEMONICS, v) ? TYPE_MNEMONICS[v] : undefined;
        if (t === undefined) throw fail(`unexpected token ${JSON.stringify(v)}; expect legal QTYPE`);
        types.add(t);
      }
    } else {
      nets ??= [];
      for (const v of values) {
        if (v === '*') { anyNet = true; break; }
        const cidr = parseCIDR(withPrefix(v));
        if (cidr === null) throw fail(`illegal CIDR notation ${JSON.stringify(withPrefix(v))}`);
        nets.push(cidr);
      }
    }
  }
  return { action: action as Action, types: anyType ? null : types, nets: anyNet ? null : nets };
}

export function setupAcl(rule: AclRule, ctx: SetupContext): PluginFactory | null {
  const shared = ctx.provided(RULES);
  if (Array.isArray(shared)) {
    (shared as AclRule[]).push(rule);
    return null;
  }
  const rules: AclRule[] = [rule];
  ctx.provide(RULES, rules);
  // The factory runs once every directive of the block is set up: `rules` is complete by then.
  return (next) => new AclHandler(next, rules);
}
