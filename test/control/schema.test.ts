import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  actionControl,
  boolControl,
  describeValues,
  enumControl,
  intControl,
  parseControlValue,
  withValue,
} from '../../src/control/schema.js';
import { CAMF_CONTROLS } from '../../src/protocol/camf/controls.js';

describe('control schema', () => {
  it('parses each kind to the canonical text that goes on the wire, or refuses naming what is allowed', () => {
    const quality = intControl('quality', 'JPEG quality', 4, 63);
    expect(parseControlValue(quality, ' 10 ')).toBe('10');
    expect(parseControlValue(quality, '+63')).toBe('63');
    expect(() => parseControlValue(quality, '64')).toThrow(
      'bad value "64" for quality: expected an integer 4..63',
    );
    expect(() => parseControlValue(quality, undefined)).toThrow('bad value no value for quality');
    const mirror = boolControl('hmirror', 'Mirror');
    expect(['on', 'TRUE', '1', 'yes'].map((v) => parseControlValue(mirror, v))).toEqual(['1', '1', '1', '1']);
    expect(['off', 'false', '0', 'No'].map((v) => parseControlValue(mirror, v))).toEqual([
      '0',
      '0',
      '0',
      '0',
    ]);
    const size = enumControl('framesize', 'Resolution', ['QVGA', 'VGA'], [['640x480', 'VGA']]);
    expect(parseControlValue(size, 'vga')).toBe('VGA');
    expect(parseControlValue(size, '640X480')).toBe('VGA');
    expect(() => parseControlValue(size, 'HD')).toThrow(
      expect.objectContaining({ kind: 'invalid', parameter: 'val' }),
    );
    const snap = actionControl('snapshot', 'Take one picture');
    expect(parseControlValue(snap, undefined)).toBeUndefined();
    expect(parseControlValue(snap, '')).toBeUndefined();
    expect(() => parseControlValue(snap, '1')).toThrow('expected no value');
    expect(describeValues(size.spec)).toBe('one of QVGA, VGA');
  });

  it('fills in a current value only when it is one the control takes', () => {
    const quality = intControl('quality', 'JPEG quality', 4, 63).spec;
    expect(withValue(quality, 12)).toMatchObject({ value: 12 });
    expect(withValue(quality, '20')).toMatchObject({ value: 20 });
    expect(withValue(quality, 99)).not.toHaveProperty('value');
    const on = boolControl('stream', 'Streaming').spec;
    expect(withValue(on, 0)).toMatchObject({ value: false });
    expect(withValue(on, 'maybe')).not.toHaveProperty('value');
    const size = enumControl('framesize', 'Resolution', ['QVGA', 'VGA']).spec;
    expect(withValue(size, 'qvga')).toMatchObject({ value: 'QVGA' });
    expect(withValue(size, 'HD')).not.toHaveProperty('value');
  });

  it("CAMF's integer ranges are the firmware's own table (firmware/camf/camf_vars.h)", () => {
    const header = readFileSync(new URL('../../firmware/camf/camf_vars.h', import.meta.url), 'utf8');
    const c = new Map(
      [...header.matchAll(/\{"(\w+)", (-?\d+), (-?\d+)\}/g)].map((m) => [
        m[1]!,
        [Number(m[2]), Number(m[3])],
      ]),
    );
    const ts = new Map<string, number[]>();
    for (const { spec } of CAMF_CONTROLS) {
      if (spec.kind === 'int') ts.set(spec.name, [spec.min, spec.max]);
      if (spec.kind === 'bool') ts.set(spec.name, [0, 1]);
      if (spec.kind === 'enum' && /^\d+$/.test(spec.choices[0]!.value))
        ts.set(spec.name, [0, spec.choices.length - 1]);
    }
    ts.delete('stream'); // handled by the sketch itself, not a sensor variable
    expect(Object.fromEntries(ts)).toEqual(Object.fromEntries(c));
  });
});
