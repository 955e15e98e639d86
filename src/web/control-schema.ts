/**
 * The control schema as the page reads it from `status`: which published specs
 * it can render (they arrive over the network, so each is checked), the key
 * that says when a camera's inputs must be rebuilt, and what each input shows.
 * No DOM here: the tests run it in Node.
 */
import type { ControlSpec, EnumControl, IntControl } from '../control/schema.js';

type Fields = Readonly<Record<string, unknown>>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function choicesOf(value: unknown): EnumControl['choices'] | undefined {
  if (!Array.isArray(value)) return undefined;
  const choices: { value: string; label: string }[] = [];
  for (const item of value as unknown[]) {
    if (!isFields(item) || typeof item.value !== 'string') return undefined;
    if (choices.some((c) => c.value === item.value)) return undefined;
    choices.push({ value: item.value, label: nonEmpty(item.label) ?? item.value });
  }
  return choices.length > 0 ? choices : undefined;
}

/** One published spec, or `undefined` when it is not one the page can render. */
export function parseControlSpec(value: unknown): ControlSpec | undefined {
  if (!isFields(value)) return undefined;
  const name = nonEmpty(value.name);
  if (name === undefined) return undefined;
  const hint = nonEmpty(value.hint);
  const base = { name, label: nonEmpty(value.label) ?? name, ...(hint === undefined ? {} : { hint }) };
  switch (value.kind) {
    case 'int': {
      const { min, max } = value;
      if (!Number.isInteger(min) || !Number.isInteger(max) || (min as number) > (max as number))
        return undefined;
      const spec: IntControl = { ...base, kind: 'int', min: min as number, max: max as number };
      const v = value.value;
      return Number.isInteger(v) && (v as number) >= spec.min && (v as number) <= spec.max
        ? { ...spec, value: v as number }
        : spec;
    }
    case 'bool':
      return typeof value.value === 'boolean'
        ? { ...base, kind: 'bool', value: value.value }
        : { ...base, kind: 'bool' };
    case 'enum': {
      const choices = choicesOf(value.choices);
      if (choices === undefined) return undefined;
      const v = value.value;
      return typeof v === 'string' && choices.some((c) => c.value === v)
        ? { ...base, kind: 'enum', choices, value: v }
        : { ...base, kind: 'enum', choices };
    }
    case 'action':
      return { ...base, kind: 'action' };
    default:
      return undefined;
  }
}

/**
 * The specs in a camera's published `controls` that the page can render, in
 * order; malformed entries, repeated names and bare names (what gateways
 * published before the schema) are left out.
 */
export function parseControlSpecs(value: unknown): ControlSpec[] {
  if (!Array.isArray(value)) return [];
  const specs: ControlSpec[] = [];
  for (const item of value as unknown[]) {
    const spec = parseControlSpec(item);
    if (spec && !specs.some((s) => s.name === spec.name)) specs.push(spec);
  }
  return specs;
}

/** What the inputs are built from: everything but the current values. Equal keys, same inputs. */
export function schemaKey(specs: readonly ControlSpec[]): string {
  return JSON.stringify(
    specs.map((s) => {
      switch (s.kind) {
        case 'int':
          return [s.name, s.kind, s.label, s.hint ?? '', s.min, s.max];
        case 'enum':
          return [s.name, s.kind, s.label, s.hint ?? '', s.choices.map((c) => [c.value, c.label])];
        default:
          return [s.name, s.kind, s.label, s.hint ?? ''];
      }
    }),
  );
}

/** A range input's start when the camera does not say: 0 when the range holds it, else the minimum. */
export function defaultInt(spec: IntControl): number {
  return spec.min <= 0 && spec.max >= 0 ? 0 : spec.min;
}

/**
 * The published value as the text its input holds and `/control` takes
 * (`12`, `1`/`0`, the choice's value); `undefined` when the camera did not say
 * (and for actions, which have none).
 */
export function publishedValue(spec: ControlSpec): string | undefined {
  switch (spec.kind) {
    case 'int':
      return spec.value === undefined ? undefined : String(spec.value);
    case 'bool':
      return spec.value === undefined ? undefined : spec.value ? '1' : '0';
    case 'enum':
      return spec.value;
    case 'action':
      return undefined;
  }
}

/** What a fresh input shows: the published value, else the int default, off, or no choice (`''`). */
export function initialValue(spec: ControlSpec): string {
  const published = publishedValue(spec);
  if (published !== undefined) return published;
  switch (spec.kind) {
    case 'int':
      return String(defaultInt(spec));
    case 'bool':
      return '0';
    default:
      return '';
  }
}
