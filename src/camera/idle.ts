/**
 * Idle saving (`--idle-stop SECONDS`): after that long without viewers the device is
 * told to stop streaming (`stream=0`); the first viewer starts it again, and a device
 * that comes back (replugged, rebooted) while idle is reminded that nobody watches.
 */
import type { Logger } from '../log.js';
import type { CameraControls } from './device-controls.js';

export class IdleStop {
  readonly seconds: number;
  readonly #controls: () => CameraControls | undefined;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(seconds: number, controls: () => CameraControls | undefined, log: Logger) {
    this.seconds = seconds;
    this.#controls = controls;
    this.#log = log;
  }

  /** The device was told to stop streaming and nobody has watched since. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Nobody watches (now, or since the camera started): stop the device after the idle time. */
  arm(): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#stop(), this.seconds * 1000);
  }

  /** A viewer arrived: no idle stop; wake the device if it was stopped. */
  viewerArrived(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#log.info('viewer attached: restarting the device stream');
    this.#send('1', 'could not restart the device stream');
  }

  /** The device came back online: if idle, remind it. */
  online(): void {
    if (this.#stopped) this.#send('0', 'could not re-send stream=0 after reconnecting');
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #stop(): void {
    this.#timer = undefined;
    const controls = this.#controls();
    if (!controls?.schema().some((c) => c.name === 'stream')) {
      this.#log.debug('idle, but this device cannot be told to stop streaming');
      return;
    }
    this.#stopped = true;
    this.#log.info(`no viewer for ${this.seconds} s: stopping the device stream`);
    this.#send('0', 'could not stop the device stream');
  }

  #send(value: '0' | '1', failure: string): void {
    this.#controls()
      ?.request('stream', value)
      .catch((err: unknown) => this.#log.warn(`${failure}: ${(err as Error).message}`));
  }
}
