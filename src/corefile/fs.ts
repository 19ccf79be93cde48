/**
 * The only host access of this folder: the defaults parseCorefile uses when the caller injects
 * nothing — reading imported files and listing directories with node:fs, and process.env for
 * `{$NAME}` substitution. Everything else in src/corefile is pure.
 */
import { readdirSync, readFileSync } from 'node:fs';

export function nodeReadFile(path: string): string {
  return readFileSync(path, 'utf8');
}

export function nodeListDir(dir: string): string[] {
  return readdirSync(dir);
}

export function processEnv(): Readonly<Record<string, string | undefined>> {
  return process.env;
}
