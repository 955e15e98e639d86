import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  actionControl,
  boolControl,
  type ControlSpec,
  enumControl,
  type IntControl,
  intControl,
  withValue,
} from '../../src/control/schema.js';
import {
  defaultInt,
  initialValue,
  parseControlSpecs,
  publishedValue,
  schemaKey,
} from '../../src/web/control-schema.js';

const quality = intControl('quality', 'JPEG quality', 4, 63, 'lower is better').spec;
const brightness = intControl('brightness', 'Brightness', -2, 2).spec;
const mirror = boolControl('hmirror', 'Mirror').spec;
const framesize = enumControl('framesize', 'Resolution', [
  { value: 'QVGA', label: 'QVGA 320×240' },
  { value: 'VGA', label: 'VGA 640×480' },
]).spec;
const info = actionControl('info', 'Device info').spec;
const SCHEMA: ControlSpec[] = [quality, brightness, mirror, framesize, info];

function asInt(spec: ControlSpec): IntControl {
  if (spec.kind !== 'int') throw new TypeError(`${spec.name} is not an int control`);
  return spec;
}

/** What the gateway sends: the specs through JSON. */
function published(specs: readonly ControlSpec[]): unknown {
  return JSON.parse(JSON.stringify(specs));
}

describe('parseControlSpecs', () => {
  it('reads back every kind the server publishes, values included', () => {
    const specs = [
      withValue(quality, 12),
      withValue(mirror, true),
      withValue(framesize, 'VGA'),
      brightness,
      info,
    ];
    expect(parseControlSpecs(published(specs))).toEqual(specs);
  });

  it('leaves out what it cannot render: bare names, unknown kinds, broken ranges and choices, repeats', () => {
    const specs = parseControlSpecs([
      'quality', // a gateway from before the schema published bare names
      { name: 'zoom', label: 'Zoom', kind: 'float', min: 0, max: 1 },
      { name: 'a', kind: 'int', min: 5, max: 1 },
      { name: 'b', kind: 'int', min: 0, max: 1.5 },
      { name: 'c', kind: 'enum', choices: [] },
      { name: 'd', kind: 'enum', choices: [{ value: 'X' }, { value: 'X' }] },
      { name: 'e', kind: 'enum', choices: ['X'] },
      { kind: 'bool', label: 'nameless' },
      null,
      mirror,
      { ...mirror, label: 'Mirror again' },
    ]);
    expect(specs).toEqual([mirror]);
    expect(parseControlSpecs(undefined)).toEqual([]);
    expect(parseControlSpecs({ quality })).toEqual([]);
  });

  it('drops values outside the spec, fills in missing labels from names and values', () => {
    const [q, f, b] = parseControlSpecs([
      { ...quality, value: 99 },
      { name: 'framesize', kind: 'enum', choices: [{ value: 'QVGA' }], value: 'UXGA' },
      { name: 'awb', kind: 'bool', value: 1 },
    ]);
    expect(q).toEqual(quality);
    expect(f).toEqual({
      name: 'framesize',
      label: 'framesize',
      kind: 'enum',
      choices: [{ value: 'QVGA', label: 'QVGA' }],
    });
    expect(b).toEqual({ name: 'awb', label: 'awb', kind: 'bool' });
  });
});

describe('schemaKey', () => {
  it('ignores values, so new values alone rebuild no input', () => {
    expect(schemaKey([withValue(quality, 10), withValue(framesize, 'QVGA')])).toBe(
      schemaKey([withValue(quality, 40), framesize]),
    );
  });

  it('changes with names, kinds, order, ranges, choices, labels and hints', () => {
    const key = schemaKey(SCHEMA);
    const variants: ControlSpec[][] = [
      SCHEMA.slice(1),
      [...SCHEMA].reverse(),
      [intControl('quality', 'JPEG quality', 4, 62, 'lower is better').spec, ...SCHEMA.slice(1)],
      [enumControl('quality', 'JPEG quality', ['HIGH', 'LOW']).spec, ...SCHEMA.slice(1)],
      [...SCHEMA.slice(0, 3), enumControl('framesize', 'Resolution', ['QVGA', 'VGA']).spec, info],
      [...SCHEMA.slice(0, 4), actionControl('info', 'Device info', 'ask again').spec],
      [...SCHEMA.slice(0, 4), actionControl('info', 'Info').spec],
    ];
    for (const variant of variants) expect(schemaKey(variant)).not.toBe(key);
  });
});

describe('what an input starts at', () => {
  it('the published value when there is one', () => {
    expect(initialValue(withValue(quality, 12))).toBe('12');
    expect(initialValue(withValue(mirror, true))).toBe('1');
    expect(initialValue(withValue(mirror, false))).toBe('0');
    expect(initialValue(withValue(framesize, 'vga'))).toBe('VGA');
  });

  it('else 0 when the range holds it, the minimum otherwise; off; no choice', () => {
    expect(defaultInt(asInt(brightness))).toBe(0);
    expect(defaultInt(asInt(quality))).toBe(4);
    expect(defaultInt(asInt(intControl('t', 'T', -10, -5).spec))).toBe(-10);
    expect(initialValue(brightness)).toBe('0');
    expect(initialValue(quality)).toBe('4');
    expect(initialValue(mirror)).toBe('0');
    expect(initialValue(framesize)).toBe('');
  });

  it('an action has no value to publish', () => {
    expect(publishedValue(info)).toBeUndefined();
    expect(publishedValue(quality)).toBeUndefined();
  });
});

describe('the page itself', () => {
  it('has no control vocabulary of its own: names, ranges and choices all come from the schema', () => {
    const dir = new URL('../../src/web/', import.meta.url);
    const words =
      /\b(framesize|quality|brightness|hmirror|vflip|special_effect|wb_mode|QVGA|UXGA|FRAMESIZES|RANGES|CHOICES|SWITCHES|LABELS)\b/;
    for (const file of readdirSync(dir)) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      expect(words.exec(text)?.[0], file).toBeUndefined();
    }
  });
});
