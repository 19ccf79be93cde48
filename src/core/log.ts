/**
 * Logging in CoreDNS's style: `[INFO] plugin/<name>: message` lines on stderr. Tests inject a
 * silent or capturing logger instead of relying on globals.
 */
export type Level = 'INFO' | 'WARNING' | 'ERROR' | 'DEBUG' | 'FATAL';

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** Writes a line as it is, without level or prefix (the log plugin's JSON records). */
  raw(line: string): void;
  /** A logger whose lines carry the `plugin/<name>: ` prefix. */
  plugin(name: string): Logger;
}

export function consoleLogger(sink: (line: string) => void = (l) => process.stderr.write(l + '\n'), prefix = ''): Logger {
  const line = (level: Level, msg: string): void => sink(`[${level}] ${prefix}${msg}`);
  return {
    info: (m) => line('INFO', m),
    warn: (m) => line('WARNING', m),
    error: (m) => line('ERROR', m),
    raw: (l) => sink(l),
    plugin: (name) => consoleLogger(sink, `plugin/${name}: `),
  };
}

export const silentLogger: Logger = {
  info() {}, warn() {}, error() {}, raw() {},
  plugin() { return silentLogger; },
};
