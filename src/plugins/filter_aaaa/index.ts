// Placeholder until the plugin lands; replaced by the real definition.
import type { PluginDefinition } from '../../core/handler.ts';
import { ConfigError } from '../../core/errors.ts';

export const filterAaaaPlugin: PluginDefinition<null> = {
  name: 'filter_aaaa',
  parse(d) { throw new ConfigError(d.file, d.line, "plugin 'filter_aaaa' is not provided by podns yet"); },
  setup() { return null; },
};
