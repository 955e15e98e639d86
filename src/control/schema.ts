/**
 * The control schema: what a camera publishes about each control it honours
 * (name, kind, range or choices, current value when known) and the one
 * validation `/control` runs against it. The viewer renders its inputs from the
 * same published specs, so it can never offer a value the camera refuses.
 *
 * Protocols build their vocabularies from `intControl`, `boolControl`,
 * `enumControl` and `actionControl`; `parseControlValue` turns a request value
 * into the canonical text that goes on the wire, or throws a `ControlError`.
 */
import { ControlError } from './errors.js';

interface ControlBase {
  /** The `var` of `/control?var=…&val=…` (ESP32 CameraWebServer names where one exists). */
  readonly name: string;
  /** What a person calls it (`JPEG quality`). */
  readonly label: string;
  /** One more line of explanation (`lower is better`), when useful. */
  readonly hint?: string;
}

/** A whole number in [min, max]. */
export interface IntControl extends ControlBase {
  readonly kind: 'int';
  readonly min: number;
  readonly max: number;
  /** Current value, when the camera knows it. */
  readonly value?: number;
}

/** On/off, sent as `1` / `0`. */
export interface BoolControl extends ControlBase {
  readonly kind: 'bool';
  readonly value?: boolean;
}

/** One of a list; `value` of each choice is what the page sends and the device gets. */
export interface EnumControl extends ControlBase {
  readonly kind: 'enum';
  readonly choices: readonly { readonly value: string; readonly label: string }[];
  readonly value?: string;
}

/** A command without a value (`snapshot`, `info`). */
export interface ActionControl extends ControlBase {
  readonly kind: 'action';
}

/** One control as published in `/status` (`controls`) and `/cams/NAME/controls`. */
export type ControlSpec = IntControl | BoolControl | EnumControl | ActionControl;

/** A control as a protocol defines it: the published spec plus the other spellings its values may take. */
export interface ControlDef {
  readonly spec: ControlSpec;
  /** Enum only: other accepted spellings (upper-cased) → the canonical choice value (`8` → `VGA`). */
  readonly aliases?: ReadonlyMap<string, string>;
}

/** Ways to say on and off; `1`/`0` go on the wire. */
const TRUE_WORDS = new Set(['1', 'true', 'on', 'yes']);
const FALSE_WORDS = new Set(['0', 'false', 'off', 'no']);

export function intControl(name: string, label: string, min: number, max: number, hint?: string): ControlDef {
  return { spec: { name, label, kind: 'int', min, max, ...(hint ? { hint } : {}) } };
}

export function boolControl(name: string, label: string, hint?: string): ControlDef {
  return { spec: { name, label, kind: 'bool', ...(hint ? { hint } : {}) } };
}

export function actionControl(name: string, label: string, hint?: string): ControlDef {
  return { spec: { name, label, kind: 'action', ...(hint ? { hint } : {}) } };
}

/**
 * One of `choices` (matched case-insensitively), or an alias naming one of them.
 * A plain list of strings uses each as its own label.
 */
export function enumControl(
  name: string,
  label: string,
  choices: readonly (string | { value: string; label: string })[],
  aliases: Iterable<readonly [string, string]> = [],
  hint?: string,
): ControlDef {
  const list = choices.map((c) => (typeof c === 'string' ? { value: c, label: c } : c));
  const upper = new Map<string, string>();
  for (const [alias, value] of aliases) upper.set(alias.toUpperCase(), value);
  return {
    spec: { name, label, kind: 'enum', choices: list, ...(hint ? { hint } : {}) },
    ...(upper.size > 0 ? { aliases: upper } : {}),
  };
}

/** The allowed values of a control in words, for error messages (`an integer -2..2`). */
export function describeValues(spec: ControlSpec): string {
  switch (spec.kind) {
    case 'int':
      return `an integer ${spec.min}..${spec.max}`;
    case 'bool':
      return '0 or 1';
    case 'enum':
      return `one of ${spec.choices.map((c) => c.value).join(', ')}`;
    case 'action':
      return 'no value';
  }
}

function badValue(spec: ControlSpec, value: string | undefined): ControlError {
  const got = value === undefined ? 'no value' : `"${value}"`;
  return new ControlError('invalid', `bad value ${got} for ${spec.name}: expected ${describeValues(spec)}`, {
    parameter: 'val',
  });
}

/**
 * Validate `value` for `def` and return its canonical text (`undefined` for an
 * action). Throws a `ControlError` of kind `invalid` naming what is allowed.
 */
export function parseControlValue(def: ControlDef, value: string | undefined): string | undefined {
  const spec = def.spec;
  const v = value?.trim();
  switch (spec.kind) {
    case 'int': {
      if (v === undefined || !/^[-+]?\d{1,9}$/.test(v)) throw badValue(spec, value);
      const n = Number(v);
      if (n < spec.min || n > spec.max) throw badValue(spec, value);
      return String(n);
    }
    case 'bool': {
      const w = v?.toLowerCase();
      if (w !== undefined && TRUE_WORDS.has(w)) return '1';
      if (w !== undefined && FALSE_WORDS.has(w)) return '0';
      throw badValue(spec, value);
    }
    case 'enum': {
      if (v === undefined || v === '') throw badValue(spec, value);
      const u = v.toUpperCase();
      const hit = spec.choices.find((c) => c.value.toUpperCase() === u)?.value ?? def.aliases?.get(u);
      if (hit === undefined) throw badValue(spec, value);
      return hit;
    }
    case 'action':
      if (v === undefined || v === '') return undefined;
      throw badValue(spec, value);
  }
}

/** The spec with its current value filled in (when known and valid for it). */
export function withValue(spec: ControlSpec, value: unknown): ControlSpec {
  switch (spec.kind) {
    case 'int': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      return typeof n === 'number' && Number.isInteger(n) && n >= spec.min && n <= spec.max
        ? { ...spec, value: n }
        : spec;
    }
    case 'bool': {
      if (typeof value === 'boolean') return { ...spec, value };
      if (value === 1 || value === '1') return { ...spec, value: true };
      if (value === 0 || value === '0') return { ...spec, value: false };
      return spec;
    }
    case 'enum': {
      const text = typeof value === 'number' ? String(value) : value;
      if (typeof text !== 'string') return spec;
      const hit = spec.choices.find((c) => c.value.toUpperCase() === text.toUpperCase());
      return hit ? { ...spec, value: hit.value } : spec;
    }
    case 'action':
      return spec;
  }
}
