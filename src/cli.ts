/**
 * `cam-gateway`: flags → config → gateway; a status line; exit codes
 * (0 clean stop on SIGINT/SIGTERM, 1 runtime failure, 2 usage error).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { CameraOptions, GatewayOptions } from './config.js';
import { createGateway, type Gateway, VERSION } from './gateway.js';
import { networkUrls } from './http/addresses.js';
import { signalExitCode, startUnlessSignalled, stopWithin } from './lifecycle.js';
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
      /** Said once at start (e.g. a password given on the command line). */
      warnings: string[];
    };

/** Where the CLI talks; the defaults are the process's own. */
export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM). */
  stopSignal: () => Promise<string>;
  /**
   * End the process as killed by `signal` (after a signal during start): no exit handlers
   * run, so a thread stuck opening a port or a FIFO cannot hold the exit. Absent: `main`
   * resolves with 128 + the signal's number instead.
   */
  dieOf?: (signal: string) => void;
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
  const allowHosts = ((values['allow-host'] as string[] | undefined) ?? []).map((h) =>
    OPTIONS['allow-host'].parse(h, '--allow-host'),
  );
  const maxClients = flagValue(values, 'max-clients');
  const warnings: string[] = [];
  if (values.auth !== undefined) {
    warnings.push(
      '--auth puts the password where every user of this machine can read it (ps, /proc/PID/cmdline); set CAM_GATEWAY_AUTH=USER:PASS in the environment instead',
    );
  }

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
    ...(allowHosts.length > 0 ? { allowHosts } : {}),
    ...(maxClients !== undefined ? { maxClients } : {}),
  };
  return {
    kind: 'run',
    gateway,
    autoPort: cameras.length === 0,
    serialDefaults: { ...shared, ...serial },
    logLevel,
    quiet: values.quiet === true,
    warnings,
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
    dieOf: (signal) => process.kill(process.pid, signal),
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

  for (const warning of command.warnings) logger.warn(warning);

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
  let start: Awaited<ReturnType<typeof startUnlessSignalled>>;
  try {
    start = await startUnlessSignalled(gateway.start(), stopRequested);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    fail(message);
    if (err instanceof SourceError && (err.code === 'ENOENT' || err.code === 'ENOTTY')) {
      say(io.stderr, `serial ports present:\n${formatPortList(await io.listPorts())}`);
    }
    return 1;
  }
  if (!start.started) {
    const waiting = gateway.cameras.filter((c) => !c.status().online).map(describeCamera);
    fail(
      `${start.signal} while starting${waiting.length ? ` (still opening ${waiting.join(', ')})` : ''}: stopped`,
    );
    if (!(await stopWithin(() => gateway.stop()))) logger.warn('stop took longer than 0.9 s; exiting anyway');
    io.dieOf?.(start.signal);
    return signalExitCode(start.signal);
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
  if (!(await stopWithin(() => gateway.stop()))) logger.warn('stop took longer than 0.9 s; exiting anyway');
  return 0;
}

/** `cam0 on /dev/ttyUSB0 @ 921600 baud` / `cam0 on demo`. */
function describeCamera(camera: Gateway['cameras'][number]): string {
  const s = camera.source;
  return `${camera.name} on ${s instanceof SerialSource ? `${s.path} @ ${s.baudRate} baud` : s.label}`;
}

function summary(gateway: Gateway, options: GatewayOptions): string {
  const cams = gateway.cameras
    .map((c) => `${describeCamera(c)} (protocol ${c.settings.protocol})`)
    .join(', ');
  const auth = options.auth ? ' (basic auth on)' : '';
  const lan = networkUrls(options.host ?? DEFAULTS.host, Number(/:(\d+)$/.exec(gateway.url)?.[1]));
  const network = lan.length > 0 ? `; on the network: ${lan.join(', ')}` : '';
  return `cam-gateway ${VERSION}: ${cams}; open ${gateway.url}/${auth}${network}`;
}
