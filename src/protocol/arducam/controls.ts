/**
 * ArduCAM Mini controls, one command set per sensor (`commands.ts` has the bytes). Which
 * sensor a sketch drives is read from its greeting (`OV5642 detected.`) or forced with
 * `--sensor`. The sketch answers most bytes with an `ACK CMD … END` line (a log event without
 * the wrapping) and some not at all (0x11; resolution bytes while streaming), so silence within
 * the timeout is reported as `sent 0x..`.
 */
import {
  actionControl,
  boolControl,
  type ControlDef,
  enumControl,
  intControl,
} from '../../control/schema.js';
import { framesizeName, sizeLabel } from '../common/camera-web-server.js';
import { hexByte } from '../common/hex.js';
import type { CommandSet, PreparedCommand, ProtocolControls } from '../module.js';
import type { DeviceEvent } from '../types.js';
import {
  ARDUCAM_COMMANDS,
  ARDUCAM_SENSORS,
  type ArducamLevelSetting,
  type ArducamSensor,
  arducamLevel,
  arducamResolution,
  SENSOR_TABLES,
} from './commands.js';

const LABELS: Readonly<Record<string, string>> = {
  auto: 'Auto',
  sunny: 'Sunny',
  cloudy: 'Cloudy',
  office: 'Office',
  home: 'Home',
  advanced_awb: 'Advanced AWB',
  simple_awb: 'Simple AWB',
  manual_day: 'Manual: day',
  manual_a: 'Manual: A',
  manual_cwf: 'Manual: CWF',
  manual_cloudy: 'Manual: cloudy',
  normal: 'No effect',
  negative: 'Negative',
  bw: 'Grayscale',
  reddish: 'Red tint',
  greenish: 'Green tint',
  bluish: 'Blue tint',
  sepia: 'Sepia',
  antique: 'Antique (sepia)',
  bwnegative: 'Grayscale negative',
  overexposure: 'Overexposure',
  solarize: 'Solarize',
};

const LEVEL_LABELS: Readonly<Record<ArducamLevelSetting, string>> = {
  saturation: 'Saturation',
  brightness: 'Brightness',
  contrast: 'Contrast',
  ae_level: 'Exposure (EV)',
};

interface ByteControl {
  readonly def: ControlDef;
  toByte(canonical: string | undefined): number;
}

function sensorControls(sensor: ArducamSensor): ByteControl[] {
  const table = SENSOR_TABLES[sensor];
  // framesize: the sketch's sizes (640x480), their byte (4), or a CameraWebServer name of the same size (VGA).
  const aliases: [string, string][] = [];
  table.resolutions.forEach((size, byte) => {
    aliases.push([String(byte), size]);
    const cws = framesizeName(size);
    if (cws) aliases.push([cws, size]);
  });
  const sizes = table.resolutions.map((size) => {
    const cws = framesizeName(size);
    return { value: size, label: cws ? `${sizeLabel(size)} (${cws})` : sizeLabel(size) };
  });
  const list: ByteControl[] = [
    {
      def: enumControl('framesize', 'Resolution', sizes, aliases),
      toByte: (v) => arducamResolution(sensor, v!),
    },
    {
      def: boolControl('stream', 'Device streaming'),
      toByte: (v) => (v === '1' ? ARDUCAM_COMMANDS.streamStart : ARDUCAM_COMMANDS.streamStop),
    },
    {
      def: actionControl('snapshot', 'Take one picture', 'one frame, then still'),
      toByte: () => ARDUCAM_COMMANDS.capture,
    },
    {
      def: enumControl(
        'wb_mode',
        'White balance mode',
        table.lightModes.map((m, i) => ({ value: String(i), label: LABELS[m.name] ?? m.name })),
      ),
      toByte: (v) => table.lightModes[Number(v)]!.byte,
    },
  ];
  for (const setting of ['brightness', 'contrast', 'saturation', 'ae_level'] as const) {
    const level = table.levels[setting];
    if (!level) continue;
    list.push({
      def: intControl(setting, LEVEL_LABELS[setting], level.min, level.max),
      toByte: (v) => arducamLevel(sensor, setting, Number(v)),
    });
  }
  list.push({
    def: enumControl(
      'special_effect',
      'Effect',
      table.effects.map((e, i) => ({ value: String(i), label: LABELS[e.name] ?? e.name })),
    ),
    toByte: (v) => table.effects[Number(v)]!.byte,
  });
  return list;
}

class ArducamCommandSet implements CommandSet {
  readonly controls: readonly ControlDef[];
  readonly silenceIsOk = true;
  readonly #byName: ReadonlyMap<string, ByteControl>;

  constructor(sensor: ArducamSensor) {
    const list = sensorControls(sensor);
    this.controls = list.map((c) => c.def);
    this.#byName = new Map(list.map((c) => [c.def.spec.name, c]));
  }

  encode(name: string, canonical: string | undefined): PreparedCommand {
    const byte = this.#byName.get(name)!.toByte(canonical);
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

const GREETING = /\b(OV2640|OV5642|OV5640)\b.*\bdetected\b/i;

export const arducamControls: ProtocolControls = {
  variants: ARDUCAM_SENSORS,
  commandSet: (variant) => new ArducamCommandSet(variant as ArducamSensor),
  variantFromText(text) {
    const m = GREETING.exec(text);
    return m ? m[1]!.toLowerCase() : undefined;
  },
};
