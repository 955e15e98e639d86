/** Start and stop around the CLI process: a signal during start, the stop deadline, exit codes. */
import { describe, expect, it } from 'vitest';
import { signalExitCode, startUnlessSignalled, stopWithin } from '../src/lifecycle.js';

/** A promise with its resolve and reject in hand. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('startUnlessSignalled', () => {
  it('a start that finishes first: started', async () => {
    const signal = deferred<string>();
    expect(await startUnlessSignalled(Promise.resolve(), signal.promise)).toEqual({ started: true });
  });

  it('a start that fails first rejects with its own error', async () => {
    const signal = deferred<string>();
    await expect(
      startUnlessSignalled(Promise.reject(new Error('port busy')), signal.promise),
    ).rejects.toThrow('port busy');
  });

  it('a signal during a start that never ends: the signal, and a late failure of the start stays unheard', async () => {
    const start = deferred<void>();
    const signal = deferred<string>();
    const outcome = startUnlessSignalled(start.promise, signal.promise);
    signal.resolve('SIGINT');
    expect(await outcome).toEqual({ started: false, signal: 'SIGINT' });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      start.reject(new Error('gave up opening the port'));
      // Two macrotask turns: an unhandled rejection would have been reported by now.
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

describe('stopWithin', () => {
  it('true when the stop finishes in time', async () => {
    expect(await stopWithin(async () => {}, 1000)).toBe(true);
  });

  it('false once the deadline passes on a stop that never finishes', async () => {
    const t0 = performance.now();
    expect(await stopWithin(() => new Promise<void>(() => {}), 50)).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(45);
  });
});

describe('signalExitCode', () => {
  it('is 128 + the signal number, as shells report it', () => {
    expect(signalExitCode('SIGINT')).toBe(130);
    expect(signalExitCode('SIGTERM')).toBe(143);
    expect(signalExitCode('SIGHUP')).toBe(129);
  });
});
