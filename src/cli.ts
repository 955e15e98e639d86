/**
 * `cam-gateway`: flags → config → gateway; a status line; exit codes
 * (0 clean stop on SIGINT/SIGTERM, 1 runtime failure, 2 usage error).
 */
import { resolve } from 'node:path';
import { relayFlags, sinkFlags } from './bus-flags.js';
import type { CameraHandle } from './camera/handle.js';
import type { CameraOptions, GatewayOptions } from './config.js';
import { flagValue, readFlags } from './flags.js';
import { createGateway, type Gateway, VERSION } from './gateway.js';
import { networkUrls } from './http/addresses.js';
import { createLogger, type LogLevel } from './log.js';
import { ConfigError, DEFAULTS, helpText, OPTIONS } from './options.js';
import { recordingFlags } from './recording-flags.js';
import type { RelayOptions } from './relay/relay.js';
import { serve } from './run.js';
import { describeBus } from './sinks/nats/address.js';
import { stdoutPipe } from './sinks/pipe/stdout.js';
import { formatPortList, listPorts, type PortInfo } from './source/discover.js';
import { SerialSource } from './source/serial.js';
import { SourceError } from './source/types.js';
import type { StatusLine } from './status-line.js';

export const HELP = helpText(VERSION);

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
      /** Said once at start (e.g. a password on the command line). */
      warnings: string[];
    }
  | {
      kind: 'relay';
      relay: Omit<RelayOptions, 'logger' | 'version'>;
      logLevel: LogLevel;
      quiet: boolean;
      warnings: string[];
    };

/** Where the CLI talks; the defaults are the process's own. */
export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM). */
  stopSignal: () => Promise<string>;
  listPorts: () => Promise<PortInfo[]>;
  /** After a signal interrupted the start: end the process as killed by that signal (default: just return the code). */
  dieOf?: (signal: NodeJS.Signals) => void;
}

/** Parse and validate argv; throws ConfigError with a one-line message naming the flag. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv = {}): CliCommand {
  const values = readFlags(argv);
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
  const pacing = flagValue(values, 'pacing');
  const http = {
    ...(auth ? { auth } : {}),
    ...(cors !== undefined ? { cors } : {}),
    ...(allowHosts.length > 0 ? { allowHosts } : {}),
    ...(maxClients !== undefined ? { maxClients } : {}),
    ...(pacing !== undefined ? { pacing } : {}),
  };
  const warnings: string[] = [];
  if (values.auth !== undefined) {
    warnings.push(
      '--auth puts the password where every user of this machine can read it (ps, /proc/PID/cmdline); set CAM_GATEWAY_AUTH=USER:PASS in the environment instead',
    );
  }
  const relay = relayFlags(values, env);
  if (relay) {
    const options = {
      ...relay,
      host: listen?.host ?? DEFAULTS.host,
      port: listen?.port ?? DEFAULTS.port,
      ringSize: ringSize ?? DEFAULTS.ringSize,
      ...http,
    };
    return { kind: 'relay', relay: options, logLevel, quiet: values.quiet === true, warnings };
  }
  const { stdout, ...sinks } = sinkFlags(values, env);

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
    ...http,
    ...sinks,
    ...recordingFlags(values),
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

  const served = {
    io,
    logger,
    level,
    quiet: command.quiet,
    clearStatus: (line?: StatusLine) => (statusLine = line),
  };
  if (command.kind === 'relay') {
    // Loaded only for a relay: a plain gateway does not carry the NATS client.
    const { createRelay } = await import('./relay/relay.js');
    const relay = createRelay({ ...command.relay, logger, version: VERSION });
    const r = command.relay;
    return serve(served, {
      service: relay,
      host: r.host,
      auth: r.auth !== undefined,
      summary: () =>
        `cam-gateway ${VERSION}: relay of ${describeBus(r.address)} (site ${r.site}), ` +
        `cameras found so far: ${relay.cameras.map((c) => c.name).join(', ') || 'none'}; open ${relay.url}/`,
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
    waiting: () => gateway.cameras.filter((c) => !c.status().online).map(describeCamera),
    ...(pipe ? { ended: pipe.start } : {}),
    startFailed: async (err) => {
      if (err instanceof SourceError && (err.code === 'ENOENT' || err.code === 'ENOTTY')) {
        say(io.stderr, `serial ports present:\n${formatPortList(await io.listPorts())}`);
      }
    },
  });
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
  const bus = gateway.bus ? `; publishing on ${gateway.bus.where}` : '';
  const recording = options.recording ? `; recording into ${resolve(options.recording.dir)}` : '';
  return `cam-gateway ${VERSION}: ${cams}${recording}; open ${gateway.url}/${auth}${network}${bus}`;
}
