/**
 * `--stdout [NAME]`: one camera's frames written to a pipe as MJPEG — JPEGs back
 * to back, the stream `ffmpeg -f mjpeg -i -` and go2rtc's `exec:` sources read.
 * Paced by the one delivery policy, with the pipe as the client: the newest
 * frame whenever the reader has taken the last one (a slow reader skips frames,
 * nothing queues), the last frame again after a second of stillness and the
 * NO SIGNAL card while the camera is offline (so a reader's clock keeps going).
 * The reader going away (EPIPE) ends the pipe, not the gateway.
 */
import type { CameraHandle } from '../../camera/handle.js';
import type { Logger } from '../../log.js';
import { FrameDelivery } from '../../stream/delivery.js';
import { NO_SIGNAL_JPEG } from '../../stream/no-signal.js';

/** The part of a Node `Writable` (process.stdout) the pipe uses. */
export interface PipeTarget {
  write(chunk: Uint8Array): boolean;
  readonly writableNeedDrain: boolean;
  readonly destroyed: boolean;
  once(event: 'drain' | 'close' | 'error', listener: (err?: Error) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  /** A terminal gets no JPEGs. */
  readonly isTTY?: boolean;
}

export interface PipeOptions {
  /** JPEG written while the camera is offline or has sent nothing yet. */
  placeholder?: Uint8Array;
  /** Re-send the last frame (or placeholder) after this long without news, ms. Default 1000. */
  resendMs?: number;
  /** Called once when the reader went away (EPIPE, closed). */
  onClosed?: (reason: string) => void;
}

export class FramePipe {
  readonly #delivery: FrameDelivery;
  #drainArmed = false;
  #closed = false;
  #frames = 0;

  constructor(camera: CameraHandle, target: PipeTarget, options: PipeOptions = {}) {
    const close = (reason: string): void => {
      if (this.#closed) return;
      this.#closed = true;
      this.#delivery.stop();
      options.onClosed?.(reason);
    };
    target.on('error', (err) => close(err.message));
    target.once('close', () => close('closed'));
    this.#delivery = new FrameDelivery(
      camera.ring,
      {
        online: () => camera.online,
        ...(options.placeholder ? { placeholder: options.placeholder } : {}),
        resendMs: options.resendMs ?? 1000,
      },
      {
        ready: () => {
          if (this.#closed || target.destroyed) return false;
          if (!target.writableNeedDrain) return true;
          if (!this.#drainArmed) {
            this.#drainArmed = true;
            target.once('drain', () => {
              this.#drainArmed = false;
              this.#delivery.wake();
            });
          }
          return false;
        },
        send: (what) => {
          this.#frames++;
          target.write(what.kind === 'frame' ? what.entry.frame : options.placeholder!);
        },
        end: () => close('the camera stopped'),
        fail: (err) => close(err.message),
      },
    );
  }

  /** JPEGs written so far. */
  get frames(): number {
    return this.#frames;
  }

  start(): void {
    this.#delivery.start();
  }

  stop(): void {
    this.#closed = true;
    this.#delivery.stop();
  }
}

/**
 * `--stdout [NAME]`: the named camera (the first when `name` is '') piped to `out`;
 * throws naming the cameras when there is no such one. `start()` resolves, saying
 * why, once the reader went away.
 */
export function stdoutPipe(
  cameras: readonly CameraHandle[],
  name: string,
  out: PipeTarget,
  logger: Logger,
): { camera: CameraHandle; start(): Promise<string> } {
  if (out.isTTY) {
    throw new Error(
      '--stdout writes binary JPEGs: pipe it into a program, e.g. … --stdout | ffmpeg -f mjpeg -i - …',
    );
  }
  const camera = name === '' ? cameras[0] : cameras.find((c) => c.name === name);
  if (!camera) {
    throw new Error(`--stdout: no camera "${name}"; cameras: ${cameras.map((c) => c.name).join(', ')}`);
  }
  return {
    camera,
    start: () =>
      new Promise<string>((resolve) => {
        const pipe = new FramePipe(camera, out, {
          placeholder: NO_SIGNAL_JPEG,
          onClosed: (reason) => {
            logger.info(`stdout: the reader went away (${reason}) after ${pipe.frames} JPEGs`);
            resolve('stdout closed');
          },
        });
        pipe.start();
      }),
  };
}
