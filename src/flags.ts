/**
 * Command-line text → raw flag values → validated values, all through the option
 * table (`options.ts`): node's `parseArgs` configured from it, its errors worded
 * as one line, a flag whose value may be left out (`--stdout`), and each value
 * run through the table's own check.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ConfigError, OPTIONS, type OptionName, type OptionSpec } from './options.js';

/** node:util parseArgs options, from the table. */
const PARSE_OPTIONS = Object.fromEntries(
  Object.entries(OPTIONS).map(([flag, spec]: [string, OptionSpec<unknown>]) => [
    flag,
    {
      type: spec.value ? 'string' : 'boolean',
      ...(spec.multiple ? { multiple: true } : {}),
      ...(spec.short ? { short: spec.short } : {}),
    },
  ]),
) as ParseArgsConfig['options'];

/** Raw flag values as parseArgs returns them. */
export type RawValues = Partial<Record<OptionName, string | boolean | string[]>>;

/** Turn node's parseArgs errors into `unknown option --x` / `--x needs a value`. */
function describeParseError(err: unknown): string {
  const e = err as Error & { code?: string };
  const flag = /'(-[^' ]+)/.exec(e.message)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${flag ?? e.message} (see cam-gateway --help)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return flag && /argument missing/.test(e.message)
        ? `${flag} needs a value (see cam-gateway --help)`
        : `${flag ?? 'an option'} takes no value (see cam-gateway --help)`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(e.message)?.[1] ?? ''}: options start with -- (see cam-gateway --help)`;
    default:
      return e.message;
  }
}

/** What the table's `parse` of `--flag` returns. */
export type Parsed<K extends OptionName> = (typeof OPTIONS)[K] extends {
  parse: (...args: never[]) => infer R;
}
  ? R
  : never;

/** The parsed value of `--flag`, through the table's validation; undefined when absent. */
export function flagValue<K extends OptionName>(values: RawValues, flag: K): Parsed<K> | undefined {
  const raw = values[flag];
  const spec: OptionSpec<unknown> = OPTIONS[flag];
  if (raw === undefined || typeof raw !== 'string' || !spec.parse) return undefined;
  return spec.parse(raw, `--${flag}`) as never;
}

/** `--flag` of a table entry whose value may be left out, at the end or before another option: `--flag=`. */
function fillOptionalValues(argv: readonly string[]): string[] {
  return argv.map((arg, i) => {
    const spec: OptionSpec<unknown> | undefined = OPTIONS[arg.slice(2) as OptionName];
    const next = argv[i + 1];
    const bare = arg.startsWith('--') && spec?.optionalValue === true;
    return bare && (next === undefined || next.startsWith('-')) ? `${arg}=` : arg;
  });
}

/** Parse argv into raw values; throws ConfigError with one line (unknown option, missing value …). */
export function readFlags(argv: readonly string[]): RawValues {
  try {
    return parseArgs({
      args: fillOptionalValues(argv),
      options: PARSE_OPTIONS,
      strict: true,
      allowPositionals: false,
    }).values as RawValues;
  } catch (err) {
    throw new ConfigError(describeParseError(err));
  }
}
