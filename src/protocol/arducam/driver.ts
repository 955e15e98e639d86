/**
 * The ArduCAM Mini sketches send nothing until told to: this driver starts the stream once
 * the sketch has greeted (`OV2640 detected.`), or after a while without frames when the
 * greeting was missed (the port opened after it), and asks it to stop before the port closes.
 */
import type { DeviceDriver, DriverContext } from '../module.js';
import type { DeviceEvent } from '../types.js';
import { ARDUCAM_COMMANDS } from './commands.js';

/** Start streaming this long after opening if the sketch's "detected" line never came. */
export const ARDUCAM_START_TIMEOUT_MS = 2500;

export function createArducamDriver(
  ctx: DriverContext,
  startTimeoutMs = ARDUCAM_START_TIMEOUT_MS,
): DeviceDriver {
  let started = false;
  let timer: NodeJS.Timeout | undefined;

  const start = (why: string): void => {
    if (started || !ctx.online() || ctx.idleStopped()) return;
    started = true;
    clearTimeout(timer);
    ctx.info(`starting the ArduCAM stream (${why})`);
    ctx.request('stream', '1').catch((err: unknown) => {
      started = false;
      ctx.warn(`could not start the ArduCAM stream: ${(err as Error).message}`);
    });
  };

  return {
    online() {
      started = false;
      clearTimeout(timer);
      const framesBefore = ctx.frames();
      timer = setTimeout(() => {
        if (ctx.frames() === framesBefore) start('no frames yet');
      }, startTimeoutMs);
    },
    offline() {
      clearTimeout(timer);
    },
    event(event: DeviceEvent) {
      if (event.type === 'log' && /detected/i.test(event.text)) start('sensor detected');
    },
    // The sketch keeps streaming after we go; tell it to stop before the port closes.
    farewell: () => (ctx.online() ? Uint8Array.of(ARDUCAM_COMMANDS.streamStop) : undefined),
    close() {
      clearTimeout(timer);
    },
  };
}
