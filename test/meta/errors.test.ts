// docs/errors.md and src/core/errors.ts list the same codes with the same meanings.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ErrorCodes } from '../../src/core/errors.ts';

test('docs/errors.md and ErrorCodes agree in both directions', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const rows = new Map<string, string>();
  for (const m of doc.matchAll(/^\| `(PODNS_ERR_[A-Z_]+)` \| (.+?) \|$/gm)) rows.set(m[1]!, m[2]!);
  assert.deepEqual(new Map(Object.entries(ErrorCodes)), rows);
});
