/**
 * Controls of a camera that plays a recording (`--demo`, `--replay`), carried out
 * by the gateway itself: `stream` pauses and resumes the playback, `snapshot`
 * plays until one more frame arrived and pauses again — what a real camera's
 * `stream` and `snapshot` do, so a newcomer sees controls work without hardware.
 */
import { ControlError } from '../control/errors.js';
import {
  actionControl,
  boolControl,
  type ControlDef,
  type ControlSpec,
  parseControlValue,
  withValue,
} from '../control/schema.js';
import type { PausableSource } from '../source/types.js';
import type { RingBuffer } from '../stream/ring-buffer.js';
import { type CameraControls, DEFAULT_CONTROL_TIMEOUT_MS } from './device-controls.js';
import type { ControlResult } from './handle.js';

const STREAM: ControlDef = boolControl('stream', 'Playing', 'pause or resume the recording');
const SNAPSHOT: ControlDef = actionControl('snapshot', 'Take one picture', 'play one frame, then pause');

export class PlaybackControls implements CameraControls {
  readonly variant = null;
  readonly #source: PausableSource;
  readonly #ring: RingBuffer;
  readonly #timeoutMs: number;
  readonly #pending = new Set<() => void>();

  constructor(source: PausableSource, ring: RingBuffer, timeoutMs = DEFAULT_CONTROL_TIMEOUT_MS) {
    this.#source = source;
    this.#ring = ring;
    this.#timeoutMs = timeoutMs;
  }

  schema(): ControlSpec[] {
    return [withValue(STREAM.spec, !this.#source.paused), SNAPSHOT.spec];
  }

  request(name: string, value: string | undefined, signal?: AbortSignal): Promise<ControlResult> {
    try {
      if (name === 'stream') {
        const on = parseControlValue(STREAM, value) === '1';
        if (on) this.#source.resume();
        else this.#source.pause();
        return Promise.resolve({ ok: true, reply: `ok stream=${on ? 1 : 0}` });
      }
      if (name === 'snapshot') {
        parseControlValue(SNAPSHOT, value);
        return this.#oneFrame(signal);
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return Promise.reject(
      new ControlError(
        'unsupported',
        `unsupported control "${name}" for a recording; supported: stream, snapshot`,
        {
          supported: ['stream', 'snapshot'],
          parameter: 'var',
        },
      ),
    );
  }

  handle(): void {}

  close(): void {
    for (const cancel of [...this.#pending]) cancel();
  }

  /** Play until the ring has a frame newer than now, then pause. */
  #oneFrame(signal?: AbortSignal): Promise<ControlResult> {
    const after = this.#ring.latest()?.index ?? -1;
    return new Promise<ControlResult>((resolve, reject) => {
      let stopWaiting: () => void = () => {};
      let finished = false;
      const done = (outcome: { result: ControlResult } | { error: unknown }): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        stopWaiting();
        signal?.removeEventListener('abort', onAbort);
        this.#pending.delete(cancel);
        this.#source.pause();
        if ('result' in outcome) resolve(outcome.result);
        else reject(outcome.error);
      };
      const cancel = (): void => done({ error: new ControlError('offline', 'camera closed') });
      const onAbort = (): void => done({ error: signal?.reason });
      const timer = setTimeout(() => {
        done({ error: new ControlError('timeout', `no frame within ${this.#timeoutMs / 1000} s`) });
      }, this.#timeoutMs);
      this.#pending.add(cancel);
      signal?.addEventListener('abort', onAbort, { once: true });
      stopWaiting = this.#ring.onNext(after, (entry) =>
        entry ? done({ result: { ok: true, reply: 'ok snapshot' } }) : cancel(),
      );
      if (!finished) this.#source.resume();
    });
  }
}
