// log: the stanza table (names, formats, class, minDuration, format json), and the format parser.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCorefile } from '../../corefile/index.ts';
import type { Directive } from '../../corefile/index.ts';
import { COMBINED_LOG_FORMAT, COMMON_LOG_FORMAT, parseFormat } from './format.ts';
import { parseLog } from './setup.ts';

function directive(body: string): Directive {
  const [block] = parseCorefile(`. {\n${body}\n}\n`, { file: 'Corefile' });
  return block!.directives[0]!;
}

interface Shape { scope: string; format: string; classes: string[]; minDurationNs: number; output: string }

function shape(body: string): Shape[] {
  return parseLog(directive(body)).rules.map((r) => ({
    scope: r.scope, format: r.format, classes: [...r.classes].sort(), minDurationNs: r.minDurationNs, output: r.output,
  }));
}

const rule = (scope: string, more: Partial<Shape> = {}): Shape => ({ scope, format: COMMON_LOG_FORMAT, classes: [], minDurationNs: 0, output: 'text', ...more });

describe('log: parse', () => {
  const good: Array<[string, Shape[]]> = [
    ['log', [rule('.')]],
    ['log example.org', [rule('example.org.')]],
    ['log Example.ORG example.net', [rule('example.org.'), rule('example.net.')]],
    ['log . {combined}', [rule('.', { format: COMBINED_LOG_FORMAT })]],
    ['log . {common}', [rule('.')]],
    ['log {combined}', [rule('.', { format: COMBINED_LOG_FORMAT })]],
    ['log a.org b.org "{proto} Request: {name} {type} {>id}"', [
      rule('a.org.', { format: '{proto} Request: {name} {type} {>id}' }), rule('b.org.', { format: '{proto} Request: {name} {type} {>id}' })]],
    ['log . "{combined} {/forward/upstream}"', [rule('.', { format: `${COMBINED_LOG_FORMAT} {/forward/upstream}` })]],
    ['log example.org {\n class denial\n}', [rule('example.org.', { classes: ['denial'] })]],
    ['log . {\n class denial error\n class success\n}', [rule('.', { classes: ['denial', 'error', 'success'] })]],
    ['log . {\n class denial all\n}', [rule('.')]],
    ['log . {\n class error\n minDuration 1s\n}', [rule('.', { classes: ['error'], minDurationNs: 1e9 })]],
    ['log . {\n minDuration\n}', [rule('.', { minDurationNs: 100e6 })]],
    ['log {\n format json\n}', [rule('.', { output: 'json' })]],
  ];
  for (const [text, want] of good) {
    test(JSON.stringify(text), () => assert.deepEqual(shape(text), want));
  }

  const bad: Array<[string, string]> = [
    ['log {\n class\n}', "Corefile:3 - Error during parsing: plugin/log: Wrong argument count or unexpected line ending after 'class'"],
    ['log {\n class nope\n}', 'Corefile:3 - Error during setup: plugin/log: invalid Class: nope'],
    ['log {\n minDuration 1s 2s\n}', "Corefile:3 - Error during parsing: plugin/log: Wrong argument count or unexpected line ending after 'minDuration'"],
    ['log {\n minDuration soon\n}', "Corefile:3 - Error during parsing: plugin/log: Illegal duration found: 'soon'"],
    ['log {\n format yaml\n}', "Corefile:3 - Error during parsing: plugin/log: unknown output format 'yaml', want text or json"],
    ['log {\n format\n}', "Corefile:3 - Error during parsing: plugin/log: Wrong argument count or unexpected line ending after 'format'"],
    ['log {\n bogus\n}', "Corefile:3 - Error during parsing: plugin/log: Wrong argument count or unexpected line ending after 'bogus'"],
  ];
  for (const [text, message] of bad) {
    test(`rejects ${JSON.stringify(text)}`, () => assert.throws(() => parseLog(directive(text)), { message }));
  }
});

describe('log: format segments (CoreDNS replacer parseFormat)', () => {
  const cases: Array<[string, unknown[]]> = [
    ['{type} {name}', [{ kind: 'label', value: '{type}' }, { kind: 'literal', value: ' ' }, { kind: 'label', value: '{name}' }]],
    ['A } {type}', [{ kind: 'literal', value: 'A } ' }, { kind: 'label', value: '{type}' }]],
    ['{ {type} }', [{ kind: 'literal', value: '{ ' }, { kind: 'label', value: '{type}' }, { kind: 'literal', value: ' }' }]],
    ['A {X} {name}', [{ kind: 'literal', value: 'A {X} ' }, { kind: 'label', value: '{name}' }]],
    ['{when} {>rflags}', [{ kind: 'literal', value: '{when} ' }, { kind: 'label', value: '{>rflags}' }]],
    ['{/kubernetes/pod} x', [{ kind: 'metadata', value: 'kubernetes/pod' }, { kind: 'literal', value: ' x' }]],
    ['no placeholders', [{ kind: 'literal', value: 'no placeholders' }]],
  ];
  for (const [format, want] of cases) {
    test(JSON.stringify(format), () => assert.deepEqual(parseFormat(format), want));
  }
});
