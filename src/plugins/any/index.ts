// Placeholder until the plugin lands; replaced by the real definition.
import type { PluginDefinition } from '../../core/handler.ts';
import { ConfigError } from '../../core/errors.ts';

export const anyPlugin: PluginDefinition<null> = {
  name: 'any',
  parse(d) { throw new ConfigError(d.file, d.line, "plugin 'any' is not provided by podns yet"); },
  setup() { return null; },
};
