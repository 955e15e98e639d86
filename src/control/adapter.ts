/**
 * A control adapter turns a (variable, value) request into the bytes one device
 * protocol understands, and recognises the device's answer among decoder events.
 */
import type { DeviceEvent } from '../protocol/types.js';

export interface PreparedCommand {
  /** Bytes to write to the port. */
  bytes: Uint8Array;
  /** What was sent, for the reply of devices that do not answer (`sent 0x20`). */
  sent: string;
}

export interface ControlAdapter {
  /** Control variables this protocol accepts, in display order. */
  readonly supported: readonly string[];
  /** Validate and encode one request; throws ControlError 400 for a bad value. `variable` is supported. */
  prepare(variable: string, value: string | undefined): PreparedCommand;
  /** The reply text if `event` answers the command in flight, else undefined. */
  match(event: DeviceEvent): string | undefined;
  /** Whether a reply means success (CAMF: it starts with `ok`). */
  isOk(reply: string): boolean;
  /**
   * Devices that do not always answer (ArduCAM sketches): when nothing arrives within the timeout
   * the request still succeeds with `sent …`. False: the timeout is a 504.
   */
  readonly silenceIsOk: boolean;
}
