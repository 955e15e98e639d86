/**
 * `cam-gateway`: flags → config → gateway; a status line; exit codes
 * (0 clean stop on SIGINT/SIGTERM, 1 runtime failure, 2 usage error).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { CameraOptions, GatewayOptions } from './config.js';
import { createGateway, type Gateway, VERSION } from './gateway.js';
import { createLogger, type LogLevel } from './log.js';
import {
  ConfigError,
  DEFAULTS,
  helpText,
  isLoopback,
  OPTIONS,
  type OptionName,
  type OptionSpec,
} from './options.js';
import { formatPortList, listPorts, type PortInfo } from './source/discover.js';
import { SerialSource } from './source/serial.js';
import { SourceError } from './source/types.js';
import { StatusLine } from './status-line.js';

export const HELP = helpText(VERSION);

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
type RawValues = Partial<Record<OptionName, string | boolean | string[]>>;

/** What the user asked for, validated. */
export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'list' }
  | {
      kind: 'run';
      gateway: Omit<GatewayOptions, 'logger'>;
      /** True when no source was given: pick the single camera-like port. */
      autoPort: boolean;
      /** Options a serial camera gets from the flags (for the auto-picked port). */
      serialDefaults: CameraOptions;
      logLevel: LogLevel;
      quiet: boolean;
    };

/** Where the CLI talks; the defaults are the process's own. */
export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM). */
  stopSignal: () => Promise<string>;
  listPorts: () => Promise<PortInfo[]>;
}

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
type Parsed<K extends OptionName> = (typeof OPTIONS)[K] extends { parse: (...args: never[]) => infer R }
  ? R
  : never;

/** The parsed value of `--flag`, through the table's validation; undefined when absent. */
function flagValue<K extends OptionName>(values: RawValues, flag: K): Parsed<K> | undefined {
  const raw = values[flag];
  const spec: OptionSpec<unknown> = OPTIONS[flag];
  if (raw === undefined || typeof raw !== 'string' || !spec.parse) return undefined;
  return spec.parse(raw, `--${flag}`) as never;
}

/** Parse and validate argv; throws ConfigError with a one-line message naming the flag. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv = {}): CliCommand {
  let values: RawValues;
  try {
    values = parseArgs({ args: [...argv], options: PARSE_OPTIONS, strict: true, allowPositionals: false })
      .values as RawValues;
  } catch (err) {
    throw new ConfigError(describeParseError(err));
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (values.list) return { kind: 'list' };

  const protocol = flagValue(values, 'protocol') ?? DEFAULTS.protocol;
  const logLevel = flagValue(values, 'log-level') ?? DEFAULTS.logLevel;
  const baudRate = flagValue(values, 'baud');
  const listen = flagValue(values, 'listen');
  const shared: CameraOptions = { protocol };
  if (baudRate !== undefined) shared.baudRate = baudRate;
  const maxFrameBytes = flagValue(values, 'max-frame-bytes');
  if (maxFrameBytes !== undefined) shared.maxFrameBytes = maxFrameBytes;
  const ringSize = flagValue(values, 'ring');
  if (ringSize !== undefined) shared.ringSize = ringSize;
  const idleStop = flagValue(values, 'idle-stop');
  if (idleStop !== undefined) shared.idleStopSeconds = idleStop;
  const sensor = flagValue(values, 'sensor');
  if (sensor !== undefined) shared.sensor = sensor;
  const serial: CameraOptions = {
    dtr: flagValue(values, 'dtr') ?? false,
    rts: flagValue(values, 'rts') ?? false,
    reset: values.reset === true,
  };
  const record = flagValue(values, 'record');
  const ports = (values.port as string[] | undefined) ?? [];
  const replay = flagValue(values, 'replay');
  if (record !== undefined) {
    const auto = ports.length === 0 && !values.demo && replay === undefined;
    if (ports.length !== 1 && !auto) {
      throw new ConfigError('--record needs exactly one serial port (one --port) to record');
    }
    serial.record = record;
  }
  const auth =
    values.auth !== undefined
      ? flagValue(values, 'auth')
      : env.CAM_GATEWAY_AUTH !== undefined
        ? OPTIONS.auth.parse(env.CAM_GATEWAY_AUTH, 'CAM_GATEWAY_AUTH')
        : undefined;
  const cors = flagValue(values, 'cors');
  const pacing = flagValue(values, 'pacing');

  const cameras: CameraOptions[] = [];
  for (const spec of ports) {
    const { name, path } = OPTIONS.port.parse(spec, '--port');
    cameras.push({ ...shared, ...serial, port: path, ...(name ? { name } : {}) });
  }
  if (replay !== undefined) cameras.push({ ...shared, replay });
  if (values.demo) cameras.push({ ...shared, demo: true });

  const gateway: Omit<GatewayOptions, 'logger'> = {
    cameras,
    host: listen?.host ?? DEFAULTS.host,
    port: listen?.port ?? DEFAULTS.port,
    ...(auth ? { auth } : {}),
    ...(cors !== undefined ? { cors } : {}),
    ...(pacing !== undefined ? { pacing } : {}),
  };
  return {
    kind: 'run',
    gateway,
    autoPort: cameras.length === 0,
    serialDefaults: { ...shared, ...serial },
    logLevel,
    quiet: values.quiet === true,
  };
}

function defaultIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stopSignal: () =>
      new Promise<string>((resolve) => {
        const on = (signal: string): void => {
          process.off('SIGINT', on);
          process.off('SIGTERM', on);
          resolve(signal);
        };
        process.on('SIGINT', on);
        process.on('SIGTERM', on);
      }),
    listPorts: () => listPorts(),
  };
}

/** Run the CLI; resolves with the exit code. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  const say = (stream: NodeJS.WriteStream, line: string): void => {
    stream.write(`${line}\n`);
  };
  const fail = (line: string): void => say(io.stderr, `cam-gateway: ${line}`);

  let command: CliCommand;
  try {
    command = parseCli(argv, io.env);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
    return 2;
  }
  if (command.kind === 'help') {
    say(io.stdout, HELP);
    return 0;
  }
  if (command.kind === 'version') {
    say(io.stdout, VERSION);
    return 0;
  }
  if (command.kind === 'list') {
    say(io.stdout, formatPortList(await io.listPorts()));
    return 0;
  }

  let statusLine: StatusLine | undefined;
  const level: LogLevel = command.quiet ? 'error' : command.logLevel;
  const logger = createLogger({
    level,
    write: (line) => say(io.stderr, line),
    beforeWrite: () => statusLine?.clear(),
  });

  const options: GatewayOptions = { ...command.gateway, logger };
  if (command.autoPort) {
    const ports = await io.listPorts();
    const cameraLike = ports.filter((p) => p.board);
    if (cameraLike.length !== 1) {
      fail(
        cameraLike.length === 0
          ? 'no camera-like USB serial port found; choose one with --port PATH, or try --demo'
          : 'several camera-like ports found; choose one with --port PATH (repeat for several cameras)',
      );
      say(io.stderr, formatPortList(ports));
      return 2;
    }
    const chosen = cameraLike[0]!;
    logger.info(`using ${chosen.path} (${chosen.board}); pass --port to choose another`);
    options.cameras = [{ ...command.serialDefaults, port: chosen.path }];
  }

  let gateway: Gateway;
  try {
    gateway = createGateway(options);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
    return 2;
  }
  const stopRequested = io.stopSignal();
  try {
    await gateway.start();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    fail(message);
    if (err instanceof SourceError && (err.code === 'ENOENT' || err.code === 'ENOTTY')) {
      say(io.stderr, `serial ports present:\n${formatPortList(await io.listPorts())}`);
    }
    return 1;
  }

  if (level !== 'error') say(io.stderr, summary(gateway, options));
  const host = options.host ?? DEFAULTS.host;
  if (!isLoopback(host) && !options.auth) {
    logger.warn(
      `listening on ${host} without --auth: anyone on the network can watch and control the camera; set --auth USER:PASS`,
    );
  }
  if (io.stderr.isTTY && !command.quiet) {
    statusLine = new StatusLine({ out: io.stderr, read: () => gateway.cameras.map((c) => c.status()) });
    statusLine.start();
  }

  const signal = await stopRequested;
  statusLine?.stop();
  statusLine = undefined;
  logger.info(`${signal}: stopping`);
  // A clean stop finishes well within a second; never hang on a stuck port.
  const deadline = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 900).unref());
  const result = await Promise.race([gateway.stop().then(() => 'stopped' as const), deadline]);
  if (result === 'timeout') logger.warn('stop took longer than 0.9 s; exiting anyway');
  return 0;
}

function summary(gateway: Gateway, options: GatewayOptions): string {
  const cams = gateway.cameras
    .map((c) => {
      const s = c.source;
      const where = s instanceof SerialSource ? `${s.path} @ ${s.baudRate} baud` : s.label;
      return `${c.name} on ${where} (protocol ${c.settings.protocol})`;
    })
    .join(', ');
  const auth = options.auth ? ' (basic auth on)' : '';
  return `cam-gateway ${VERSION}: ${cams}; open ${gateway.url}/${auth}`;
}
