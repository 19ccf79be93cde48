/**
 * The plugins podns provides, by directive name. The server looks directives up here; a
 * directive CoreDNS knows but podns does not provide yet is reported as such, any other as unknown.
 */
import type { PluginDefinition } from '../core/handler.ts';
import { bindPlugin } from './bind/index.ts';
import { kubernetesPlugin } from './kubernetes/index.ts';

// eslint-style note: the definitions are heterogeneous in their options type.
export const plugins: ReadonlyMap<string, PluginDefinition<unknown>> = new Map<string, PluginDefinition<unknown>>([
  [bindPlugin.name, bindPlugin as PluginDefinition<unknown>],
  [kubernetesPlugin.name, kubernetesPlugin as PluginDefinition<unknown>],
]);
