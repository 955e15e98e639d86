/**
 * The CLI process around a gateway's start and stop. A stop signal (Ctrl-C, SIGTERM) must
 * work at any moment, also while `start()` waits on a port whose open never returns or a FIFO
 * nobody writes; a stop never waits on a stuck port for more than a deadline; and an exit
 * forced by a signal during start reports the signal the way shells and service managers
 * expect (`128 + n`, or dying of the signal itself).
 */
import { constants } from 'node:os';

/** The longest a stop may take before the process exits anyway. */
export const STOP_DEADLINE_MS = 900;

export type StartOutcome = { readonly started: true } | { readonly started: false; readonly signal: string };

/**
 * Wait for `start` unless `stopSignal` resolves first. A start that fails first rejects as it
 * would alone; a start still running when the signal came is left to finish or fail unheard.
 */
export async function startUnlessSignalled(
  start: Promise<void>,
  stopSignal: Promise<string>,
): Promise<StartOutcome> {
  const outcome = await Promise.race([
    start.then((): StartOutcome => ({ started: true })),
    stopSignal.then((signal): StartOutcome => ({ started: false, signal })),
  ]);
  if (!outcome.started) start.catch(() => {});
  return outcome;
}

/** Run `stop`, but resolve false once `ms` have passed without it finishing. */
export async function stopWithin(stop: () => Promise<void>, ms = STOP_DEADLINE_MS): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([stop().then(() => true as const), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The exit code shells give a process a signal ended: 128 + its number (SIGINT 130, SIGTERM 143). */
export function signalExitCode(signal: string): number {
  const number = (constants.signals as Readonly<Record<string, number>>)[signal];
  return 128 + (number ?? 0);
}
