/**
 * rewrite: rewrites the question before the rest of the chain sees it, and the reply back so the
 * client sees its own question (CoreDNS plugin/rewrite). Each directive is one rule; all the
 * rewrite directives of a server block make one handler whose rules run in file order, as in
 * CoreDNS (where caddy hands all of a block's rewrite lines to one setup call): the first
 * directive's link holds the block's rule list, the others add to it and add no link.
 */
import type { PluginDefinition, SetupContext } from '../../core/handler.ts';
import { RewriteHandler } from './rewrite.ts';
import type { Rule } from './rules.ts';
import { parseRewrite } from './setup.ts';

export { parseRewrite, newRule } from './setup.ts';
export { RewriteHandler } from './rewrite.ts';

/** The rule list of each server block being set up (a SetupContext is one block of one configuration). */
const blocks = new WeakMap<SetupContext, Rule[]>();

export const rewritePlugin: PluginDefinition<Rule> = {
  name: 'rewrite',
  parse: (d) => parseRewrite(d),
  setup(rule, ctx) {
    const rules = blocks.get(ctx);
    if (rules !== undefined) {
      rules.push(rule);
      return (next) => next;
    }
    const list = [rule];
    blocks.set(ctx, list);
    return (next) => new RewriteHandler(list, next);
  },
};
