/** `autopath RESOLV-CONF`: the search list of a resolv.conf file (dns/resolvconf.ts reads it). */
import { readFileSync } from 'node:fs';
import { parseResolvSearch } from '../../dns/resolvconf.ts';

/** Reads `path` and returns its search list; throws the file system's error. */
export function readResolvSearch(path: string): string[] {
  return parseResolvSearch(readFileSync(path, 'utf8'));
}
