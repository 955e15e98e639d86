/**
 * `cam-gateway`: flags → config → gateway; a status line; exit codes
 * (0 clean stop on SIGINT/SIGTERM, 1 runtime failure, 2 usage error).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import {
  type CameraOptions,
  ConfigError,
  DEFAULTS,
  type GatewayOptions,
  isLoopback,
  parseAuth,
  parseListen,
  parseOnOff,
  parsePortSpec,
  parseSeconds,
  parseWholeNumber,
} from './config.js';
import { createGateway, type Gateway, VERSION } from './gateway.js';
import { createLogger, LOG_LEVELS, type LogLevel } from './log.js';
import { PROTOCOL_OPTIONS, type ProtocolOption } from './protocol/types.js';
import { formatPortList, listPorts, type PortInfo } from './source/discover.js';
import { SourceError } from './source/types.js';
import { StatusLine } from './status-line.js';

export const HELP = `cam-gateway ${VERSION}: serial/USB camera → MJPEG over HTTP

Usage: cam-gateway [options]
  --port [NAME=]PATH    serial device; repeat for several cameras (cam0, cam1…)
  --baud N              baud rate, default 921600 (USB-CDC devices ignore it)
  --protocol P          auto | camf | jpeg | arducam | arducam-mega | openiris
  --listen [HOST:]PORT  default 127.0.0.1:8080
  --demo                no hardware: replay the bundled recording
  --replay FILE         replay a recorded device byte stream (paced at --baud)
  --record FILE         also append every byte read from the port to FILE
  --list                list serial ports (path, by-id, VID:PID, board), exit
  --max-frame-bytes N   largest accepted frame, default 4194304
  --ring N              frames kept per camera, default 10
  --auth USER:PASS      HTTP basic auth (or env CAM_GATEWAY_AUTH=USER:PASS)
  --cors ORIGIN         allow this origin (e.g. '*') to fetch the API
  --dtr on|off          DTR after opening, default off (never hold an ESP32
  --rts on|off          RTS after opening, default off  in reset/bootloader)
  --reset               pulse RTS after opening (esptool hard reset)
  --idle-stop SECONDS   stop the device stream after that long without viewers
  --quiet               errors only    --log-level error|warn|info|debug
  --help  --version
Without --port/--demo/--replay, the one camera-like USB port present is used.
Open http://127.0.0.1:8080/ to watch; /stream is MJPEG, /snapshot one JPEG.`;

const OPTIONS = {
  port: { type: 'string', multiple: true },
  baud: { type: 'string' },
  protocol: { type: 'string' },
  listen: { type: 'string' },
  demo: { type: 'boolean' },
  replay: { type: 'string' },
  record: { type: 'string' },
  list: { type: 'boolean' },
  'max-frame-bytes': { type: 'string' },
  ring: { type: 'string' },
  auth: { type: 'string' },
  cors: { type: 'string' },
  dtr: { type: 'string' },
  rts: { type: 'string' },
  reset: { type: 'boolean' },
  'idle-stop': { type: 'string' },
  quiet: { type: 'boolean' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} as const satisfies ParseArgsConfig['options'];

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true }>>['values'];

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

/** Parse and validate argv; throws ConfigError with a one-line message naming the flag. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv = {}): CliCommand {
  let values: Values;
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new ConfigError(describeParseError(err));
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (values.list) return { kind: 'list' };

  const protocol = (values.protocol ?? DEFAULTS.protocol) as ProtocolOption;
  if (!PROTOCOL_OPTIONS.includes(protocol)) {
    throw new ConfigError(
      `--protocol must be one of ${PROTOCOL_OPTIONS.join(' | ')}, got "${values.protocol}"`,
    );
  }
  const logLevel = (values['log-level'] ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(
      `--log-level must be one of ${LOG_LEVELS.join(' | ')}, got "${values['log-level']}"`,
    );
  }
  const baudRate = values.baud === undefined ? undefined : parseWholeNumber(values.baud, '--baud', 50);
  const listen = values.listen === undefined ? undefined : parseListen(values.listen);
  const shared: CameraOptions = { protocol };
  if (baudRate !== undefined) shared.baudRate = baudRate;
  if (values['max-frame-bytes'] !== undefined) {
    shared.maxFrameBytes = parseWholeNumber(values['max-frame-bytes'], '--max-frame-bytes', 1024);
  }
  if (values.ring !== undefined) shared.ringSize = parseWholeNumber(values.ring, '--ring', 1);
  if (values['idle-stop'] !== undefined)
    shared.idleStopSeconds = parseSeconds(values['idle-stop'], '--idle-stop');
  const serial: CameraOptions = {
    dtr: values.dtr === undefined ? false : parseOnOff(values.dtr, '--dtr'),
    rts: values.rts === undefined ? false : parseOnOff(values.rts, '--rts'),
    reset: values.reset === true,
  };
  if (values.record !== undefined) {
    if (values.record === '') throw new ConfigError('--record needs a file name');
    const ports = values.port?.length ?? 0;
    const auto = ports === 0 && !values.demo && values.replay === undefined;
    if (ports !== 1 && !auto) {
      throw new ConfigError('--record needs exactly one serial port (one --port) to record');
    }
    serial.record = values.record;
  }
  if (values.replay === '') throw new ConfigError('--replay needs a file name');
  const authText = values.auth ?? env.CAM_GATEWAY_AUTH;
  const auth =
    authText === undefined
      ? undefined
      : parseAuth(authText, values.auth !== undefined ? '--auth' : 'CAM_GATEWAY_AUTH');
  if (values.cors === '') throw new ConfigError('--cors needs an origin, e.g. * or http://example.com');

  const cameras: CameraOptions[] = [];
  for (const spec of values.port ?? []) {
    const { name, path } = parsePortSpec(spec);
    cameras.push({ ...shared, ...serial, port: path, ...(name ? { name } : {}) });
  }
  if (values.replay !== undefined) cameras.push({ ...shared, replay: values.replay });
  if (values.demo) cameras.push({ ...shared, demo: true, ...(protocol === 'auto' ? {} : { protocol }) });

  const gateway: Omit<GatewayOptions, 'logger'> = {
    cameras,
    host: listen?.host ?? DEFAULTS.host,
    port: listen?.port ?? DEFAULTS.port,
    ...(auth ? { auth } : {}),
    ...(values.cors !== undefined ? { cors: values.cors } : {}),
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
      const s = c.config.source;
      const where = s.kind === 'serial' ? `${s.path} @ ${s.baudRate} baud` : c.source.label;
      return `${c.name} on ${where} (protocol ${c.config.protocol})`;
    })
    .join(', ');
  const auth = options.auth ? ' (basic auth on)' : '';
  return `cam-gateway ${VERSION}: ${cams}; open ${gateway.url}/${auth}`;
}
