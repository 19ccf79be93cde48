// Placeholder until the plugin lands; replaced by the real definition.
import type { PluginDefinition } from '../../core/handler.ts';
import { ConfigError } from '../../core/errors.ts';

export const loopPlugin: PluginDefinition<null> = {
  name: 'loop',
  parse(d) { throw new ConfigError(d.file, d.line, "plugin 'loop' is not provided by podns yet"); },
  setup() { return null; },
};
