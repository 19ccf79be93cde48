import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Address } from './request.ts';
import { Recorder, bothKeys } from './writer.ts';
import type { ClientKey } from './writer.ts';
import type { Message } from '../dns/types.ts';

const at = (address: string): Address => ({ address, port: 5353, family: 4 });
const byOctet: ClientKey = { of: (c) => c.address.split('.')[2]! };
const byLast: ClientKey = { of: (c) => c.address.split('.')[3]! };

test('two keys declared on one reply: one joined key, the same object for the same pair', () => {
  const w = new Recorder();
  w.write({} as Message, 'test');
  w.varies(byOctet, '1');
  w.varies(byLast, '7');
  assert.equal(w.vary, bothKeys(byOctet, byLast));
  assert.notEqual(w.vary, bothKeys(byLast, byOctet));
  assert.equal(w.varyValue, '1\u00007');
  assert.equal(w.vary!.of(at('10.0.1.7')), w.varyValue, 'the joined key gives the client it was written for the same value');
  assert.notEqual(w.vary!.of(at('10.0.1.8')), w.varyValue);
  assert.notEqual(w.vary!.of(at('10.0.2.7')), w.varyValue);
});

test('the same key twice is one key; before a write nothing is recorded', () => {
  const w = new Recorder();
  w.varies(byOctet, '1');
  assert.equal(w.vary, null);
  w.write({} as Message, 'test');
  w.varies(byOctet, '1');
  w.varies(byOctet, '1');
  assert.equal(w.vary, byOctet);
  assert.equal(w.varyValue, '1');
});

test('drop: takes the place of the write, later writes are ignored, never cacheable', () => {
  const w = new Recorder();
  w.drop('acl');
  w.write({} as Message, 'next');
  w.cacheable({ revision: 0 });
  w.varies(byOctet, '1');
  assert.deepEqual([w.dropped, w.written, w.writtenBy, w.cacheSource, w.vary], [true, null, 'acl', null, null]);
  const written = new Recorder();
  written.write({} as Message, 'next');
  written.drop('acl');
  assert.deepEqual([written.dropped, written.writtenBy], [false, 'next'], 'a reply already written stays');
});
