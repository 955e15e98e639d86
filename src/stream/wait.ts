/** Waiting for one newer frame, with a time limit (`/snapshot?fresh=1`). */
import type { RingBuffer, RingbufferEntry } from './ring-buffer.js';

/** What `waitForNewerFrame` ended with. */
export type FrameWait = RingbufferEntry | 'timeout' | 'aborted' | 'closed';

/**
 * The first frame newer than `after` (at once if there is one), or why there is none:
 * `timeout` after `ms`, `aborted` by `signal`, `closed` ring. No timer or ring waiter
 * outlives the call.
 */
export function waitForNewerFrame(
  ring: RingBuffer,
  after: number,
  ms: number,
  signal: AbortSignal,
): Promise<FrameWait> {
  if (signal.aborted) return Promise.resolve('aborted');
  return new Promise<FrameWait>((resolve) => {
    let settled = false;
    let stop: () => void = () => {};
    const done = (value: FrameWait): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop();
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onAbort = (): void => done('aborted');
    const timer = setTimeout(() => done('timeout'), ms);
    signal.addEventListener('abort', onAbort, { once: true });
    stop = ring.onNext(after, (entry) => done(entry ?? 'closed'));
  });
}
