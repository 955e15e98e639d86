/**
 * `cam-gateway`: flags → config → gateway; a status line; exit codes
 * (0 clean stop on SIGINT/SIGTERM, 1 runtime failure, 2 usage error).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { CameraHandle } from './camera/handle.js';
import type { CameraStatus } from './camera/status.js';
import type { CameraOptions, GatewayOptions } from './config.js';
import { createGateway, type Gateway, VERSION } from './gateway.js';
import { createLogger, type Logger, type LogLevel } from './log.js';
import {
  ConfigError,
  DEFAULTS,
  helpText,
  isLoopback,
  OPTIONS,
  type OptionName,
  type OptionSpec,
} from './options.js';
import { createRelay, type RelayOptions } from './relay/relay.js';
import { describeBus, parseNatsUrl, withCredentials } from './sinks/nats/address.js';
import { stdoutPipe } from './sinks/pipe/stdout.js';
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
      /** `--stdout [NAME]`: the camera whose frames go to stdout ('' = the first). */
      stdout?: string;
    }
  | { kind: 'relay'; relay: Omit<RelayOptions, 'logger' | 'version'>; logLevel: LogLevel; quiet: boolean };

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

/** `--flag` of a table entry whose value may be left out, at the end or before another option: `--flag=`. */
function fillOptionalValues(argv: readonly string[]): string[] {
  return argv.map((arg, i) => {
    const spec: OptionSpec<unknown> | undefined = OPTIONS[arg.slice(2) as OptionName];
    const next = argv[i + 1];
    const bare = arg.startsWith('--') && spec?.optionalValue === true;
    return bare && (next === undefined || next.startsWith('-')) ? `${arg}=` : arg;
  });
}

/** Parse and validate argv; throws ConfigError with a one-line message naming the flag. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv = {}): CliCommand {
  let values: RawValues;
  try {
    values = parseArgs({
      args: fillOptionalValues(argv),
      options: PARSE_OPTIONS,
      strict: true,
      allowPositionals: false,
    }).values as RawValues;
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
  const site = flagValue(values, 'site') ?? DEFAULTS.site;
  const from = flagValue(values, 'from');
  if (from !== undefined) {
    const others = (['port', 'demo', 'replay', 'publish', 'mqtt', 'stdout', 'record'] as const).filter(
      (flag) => values[flag] !== undefined,
    );
    if (others.length > 0) throw new ConfigError(`--from relays the bus and takes no --${others[0]}`);
    const address = natsAddress(from, '--from', env);
    const relay: CliCommand & { kind: 'relay' } = {
      kind: 'relay',
      relay: {
        address,
        site,
        ringSize: flagValue(values, 'ring') ?? DEFAULTS.ringSize,
        host: listen?.host ?? DEFAULTS.host,
        port: listen?.port ?? DEFAULTS.port,
        ...(auth ? { auth } : {}),
        ...(cors !== undefined ? { cors } : {}),
      },
      logLevel,
      quiet: values.quiet === true,
    };
    return relay;
  }
  const publish = flagValue(values, 'publish');
  const keep = flagValue(values, 'publish-keep');
  const mqtt = flagValue(values, 'mqtt');
  const mqttFps = flagValue(values, 'mqtt-fps');
  const stdout = flagValue(values, 'stdout');
  if (keep !== undefined && publish === undefined)
    throw new ConfigError('--publish-keep goes with --publish');
  if (mqttFps !== undefined && mqtt === undefined) throw new ConfigError('--mqtt-fps goes with --mqtt');

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
    site,
    ...(publish !== undefined
      ? {
          publish: {
            url: publish,
            keep: keep ?? DEFAULTS.publishKeep,
            ...(env.CAM_GATEWAY_NATS_AUTH !== undefined ? { credentials: env.CAM_GATEWAY_NATS_AUTH } : {}),
          },
        }
      : {}),
    ...(mqtt !== undefined
      ? {
          mqtt: {
            url: mqtt,
            fps: mqttFps ?? DEFAULTS.mqttFps,
            ...(env.CAM_GATEWAY_MQTT_AUTH !== undefined ? { credentials: env.CAM_GATEWAY_MQTT_AUTH } : {}),
          },
        }
      : {}),
  };
  if (stdout !== undefined && listen === undefined) gateway.port = 0;
  return {
    kind: 'run',
    gateway,
    autoPort: cameras.length === 0,
    serialDefaults: { ...shared, ...serial },
    logLevel,
    quiet: values.quiet === true,
    ...(stdout !== undefined ? { stdout } : {}),
  };
}

/** A `--from` URL with credentials from `CAM_GATEWAY_NATS_AUTH` when it has none. */
function natsAddress(url: string, name: string, env: NodeJS.ProcessEnv): RelayOptions['address'] {
  try {
    return withCredentials(parseNatsUrl(url), env.CAM_GATEWAY_NATS_AUTH);
  } catch (err) {
    throw new ConfigError(
      `${env.CAM_GATEWAY_NATS_AUTH !== undefined ? 'CAM_GATEWAY_NATS_AUTH' : name} ${(err as Error).message}`,
    );
  }
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

  const served = {
    io,
    logger,
    level,
    quiet: command.quiet,
    clearStatus: (line?: StatusLine) => (statusLine = line),
  };
  if (command.kind === 'relay') {
    const relay = createRelay({ ...command.relay, logger, version: VERSION });
    const r = command.relay;
    return serve(served, {
      service: relay,
      host: r.host,
      auth: r.auth !== undefined,
      summary: () =>
        `cam-gateway ${VERSION}: relay of ${describeBus(r.address)} (site ${r.site}): ${relay.cameras.length} camera(s) ${relay.cameras.map((c) => c.name).join(', ')}; open ${relay.url}/`,
    });
  }

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
  let pipe: { camera: CameraHandle; start(): Promise<string> } | undefined;
  try {
    gateway = createGateway(options);
    if (command.stdout !== undefined) pipe = stdoutPipe(gateway.cameras, command.stdout, io.stdout, logger);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
    return 2;
  }
  return serve(served, {
    service: gateway,
    host: options.host ?? DEFAULTS.host,
    auth: options.auth !== undefined,
    summary: () => summary(gateway, options) + (pipe ? `; ${pipe.camera.name}'s frames go to stdout` : ''),
    ...(pipe ? { ended: pipe.start } : {}),
    startFailed: async (err) => {
      if (err instanceof SourceError && (err.code === 'ENOENT' || err.code === 'ENOTTY')) {
        say(io.stderr, `serial ports present:\n${formatPortList(await io.listPorts())}`);
      }
    },
  });
}

interface ServeContext {
  io: CliIo;
  logger: Logger;
  level: LogLevel;
  quiet: boolean;
  clearStatus(line?: StatusLine): void;
}

interface Served {
  service: {
    start(): Promise<void>;
    stop(): Promise<void>;
    readonly cameras: readonly { status(): CameraStatus }[];
  };
  host: string;
  auth: boolean;
  summary(): string;
  /** Once started: resolves when the service ends by itself (the --stdout reader went away), saying why. */
  ended?: () => Promise<string>;
  startFailed?: (err: unknown) => Promise<void>;
}

/** Start, say where, run until a stop signal (or the service ends by itself), stop within a second. */
async function serve(ctx: ServeContext, served: Served): Promise<number> {
  const { io, logger } = ctx;
  const stopRequested = io.stopSignal();
  try {
    await served.service.start();
  } catch (err) {
    io.stderr.write(`cam-gateway: ${err instanceof Error ? err.message : String(err)}\n`);
    await served.startFailed?.(err);
    return 1;
  }
  if (ctx.level !== 'error') io.stderr.write(`${served.summary()}\n`);
  if (!isLoopback(served.host) && !served.auth) {
    logger.warn(
      `listening on ${served.host} without --auth: anyone on the network can watch and control the camera; set --auth USER:PASS`,
    );
  }
  let statusLine: StatusLine | undefined;
  if (io.stderr.isTTY && !ctx.quiet) {
    statusLine = new StatusLine({
      out: io.stderr,
      read: () => served.service.cameras.map((c) => c.status()),
    });
    ctx.clearStatus(statusLine);
    statusLine.start();
  }

  const signal = await (served.ended ? Promise.race([stopRequested, served.ended()]) : stopRequested);
  statusLine?.stop();
  ctx.clearStatus(undefined);
  logger.info(`${signal}: stopping`);
  // A clean stop finishes well within a second; never hang on a stuck port.
  const deadline = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 900).unref());
  const result = await Promise.race([served.service.stop().then(() => 'stopped' as const), deadline]);
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
