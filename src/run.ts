/**
 * Run a service (a gateway or a relay) as the CLI does: start it (one line and
 * exit 1 when it cannot; a stop signal during a start that hangs stops it at
 * once), say where it is, warn about an open address without auth, keep the
 * status line, then wait for a stop signal — or for the service to end by itself
 * (the `--stdout` reader gone) — and stop within a second (`lifecycle.ts`).
 */
import type { CameraStatus } from './camera/status.js';
import { signalExitCode, startUnlessSignalled, stopWithin } from './lifecycle.js';
import type { Logger, LogLevel } from './log.js';
import { isLoopback } from './options.js';
import { StatusLine } from './status-line.js';

export interface ServeIo {
  stderr: NodeJS.WriteStream;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM). */
  stopSignal: () => Promise<string>;
  /** After a signal interrupted the start: end the process as killed by that signal. */
  dieOf?: (signal: NodeJS.Signals) => void;
}

export interface ServeContext {
  io: ServeIo;
  logger: Logger;
  level: LogLevel;
  quiet: boolean;
  clearStatus(line?: StatusLine): void;
}

export interface Served {
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
  /** What is still starting (for the line said when a signal interrupts the start). */
  waiting?: () => string[];
}

/** Start, say where, run until a stop signal (or the service ends by itself), stop within a second. */
export async function serve(ctx: ServeContext, served: Served): Promise<number> {
  const { io, logger } = ctx;
  const stopRequested = io.stopSignal();
  let start: Awaited<ReturnType<typeof startUnlessSignalled>>;
  try {
    start = await startUnlessSignalled(served.service.start(), stopRequested);
  } catch (err) {
    io.stderr.write(`cam-gateway: ${err instanceof Error ? err.message : String(err)}\n`);
    await served.startFailed?.(err);
    return 1;
  }
  if (!start.started) {
    const waiting = served.waiting?.() ?? [];
    io.stderr.write(
      `cam-gateway: ${start.signal} while starting${waiting.length ? ` (still opening ${waiting.join(', ')})` : ''}: stopped\n`,
    );
    if (!(await stopWithin(() => served.service.stop())))
      logger.warn('stop took longer than 0.9 s; exiting anyway');
    io.dieOf?.(start.signal as NodeJS.Signals);
    return signalExitCode(start.signal);
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
  if (!(await stopWithin(() => served.service.stop())))
    logger.warn('stop took longer than 0.9 s; exiting anyway');
  return 0;
}
