/**
 * loop: detects a forwarding loop at startup by sending a random HINFO query to the server itself
 * and stops the process when it comes back more than twice (CoreDNS plugin/loop).
 */
import type { PluginDefinition, PluginFactory, SetupContext } from '../../core/handler.ts';
import { Loop } from './loop.ts';
import type { LoopDeps } from './loop.ts';
import { parseLoop } from './setup.ts';
import type { LoopOptions } from './setup.ts';

export type { LoopOptions } from './setup.ts';
export { parseLoop } from './setup.ts';

/** Registers the probe on the context's lifecycle and returns the chain link; `deps` for tests. */
export function setupLoop(options: LoopOptions, ctx: SetupContext, deps: LoopDeps = {}): { factory: PluginFactory; loop: Loop } {
  const loop = new Loop(options.zone, ctx, deps);
  ctx.onListening(() => { void loop.start(); });
  ctx.onShutdown(() => loop.stop());
  return { factory: (next) => loop.handler(next), loop };
}

export const loopPlugin: PluginDefinition<LoopOptions> = {
  name: 'loop',
  once: true,
  parse: parseLoop,
  setup: (options, ctx) => setupLoop(options, ctx).factory,
};
