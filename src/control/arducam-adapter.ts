/**
 * ArduCAM Mini sketches (ArduCAM_Mini_2MP_Plus_functions and friends, OV2640): one command byte
 * each, from the device engineer's tables in src/protocol/arducam-commands.ts. The sketch answers
 * most bytes with an `ACK CMD … END` line (the decoder hands it over as a log event without the
 * `ACK CMD`/`END` wrapping) and some not at all (0x11; resolution bytes while streaming), so
 * silence within the timeout is reported as `sent 0x..`.
 */
import {
  ARDUCAM_COMMANDS,
  ARDUCAM_LIGHT_MODES,
  ARDUCAM_RESOLUTIONS,
  arducamEffect,
  arducamLevel,
  arducamLightMode,
  arducamResolution,
} from '../protocol/arducam-commands.js';
import type { DeviceEvent } from '../protocol/types.js';
import type { ControlAdapter, PreparedCommand } from './adapter.js';
import { actionVar, boolVar, type ControlVariable, enumVar, FRAMESIZES, intVar } from './vocabulary.js';

export const ARDUCAM_STREAM_START = ARDUCAM_COMMANDS.streamStart;
export const ARDUCAM_STREAM_STOP = ARDUCAM_COMMANDS.streamStop;

const SENSOR = 'ov2640';
const SIZES = ARDUCAM_RESOLUTIONS[SENSOR];

/** CameraWebServer special_effect 0..6 (none, negative, grayscale, red, green, blue, sepia) → sketch effect. */
const EFFECT_NAMES = ['normal', 'negative', 'bw', 'reddish', 'greenish', 'bluish', 'antique'] as const;

/** `framesize`: the sketch's sizes (640x480), their byte (4), or a CameraWebServer name of the same size (VGA). */
function framesizeAliases(): Map<string, string> {
  const m = new Map<string, string>();
  SIZES.forEach((size, byte) => {
    m.set(String(byte), size);
    const cws = FRAMESIZES.find((f) => `${f.width}x${f.height}` === size);
    if (cws) m.set(cws.name.toUpperCase(), size);
  });
  return m;
}

interface ByteCommand {
  variable: ControlVariable;
  toByte(canonical: string | undefined): number;
}

const COMMANDS: readonly ByteCommand[] = [
  { variable: enumVar('framesize', SIZES, framesizeAliases()), toByte: (v) => arducamResolution(SENSOR, v!) },
  { variable: boolVar('stream'), toByte: (v) => (v === '1' ? ARDUCAM_STREAM_START : ARDUCAM_STREAM_STOP) },
  { variable: actionVar('snapshot'), toByte: () => ARDUCAM_COMMANDS.capture },
  {
    // CameraWebServer wb_mode 0..4 is auto, sunny, cloudy, office, home: the sketch's light modes in order.
    variable: intVar('wb_mode', 0, ARDUCAM_LIGHT_MODES[SENSOR].length - 1),
    toByte: (v) => arducamLightMode(SENSOR, ARDUCAM_LIGHT_MODES[SENSOR][Number(v)]!),
  },
  { variable: intVar('saturation', -2, 2), toByte: (v) => arducamLevel(SENSOR, 'saturation', Number(v)) },
  { variable: intVar('brightness', -2, 2), toByte: (v) => arducamLevel(SENSOR, 'brightness', Number(v)) },
  { variable: intVar('contrast', -2, 2), toByte: (v) => arducamLevel(SENSOR, 'contrast', Number(v)) },
  {
    variable: intVar('special_effect', 0, EFFECT_NAMES.length - 1),
    toByte: (v) => arducamEffect(SENSOR, EFFECT_NAMES[Number(v)]!),
  },
];

export function hexByte(b: number): string {
  return `0x${b.toString(16).padStart(2, '0')}`;
}

export class ArducamControlAdapter implements ControlAdapter {
  readonly supported: readonly string[] = COMMANDS.map((c) => c.variable.name);
  readonly silenceIsOk = true;

  prepare(variable: string, value: string | undefined): PreparedCommand {
    const cmd = COMMANDS.find((c) => c.variable.name === variable)!;
    const byte = cmd.toByte(cmd.variable.parse(value));
    return { bytes: Uint8Array.of(byte), sent: hexByte(byte) };
  }

  isOk(_reply: string): boolean {
    return true; // the sketch has no error answers: an ACK means it did it
  }

  /** Every text line the sketch prints is an `ACK CMD … END` acknowledgement (ACK IMG is not a log event). */
  match(event: DeviceEvent): string | undefined {
    if (event.type !== 'log' && event.type !== 'reply') return undefined;
    return event.text.trim() || undefined;
  }
}
