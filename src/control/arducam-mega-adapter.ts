/**
 * Arducam Mega "ArducamLink" UART commands (`55 cmd args AA`), built with the device engineer's
 * encoder in src/protocol/mega-commands.ts. The firmware answers `info` (camera info packet),
 * `stream=0` (`streamoff`) and `snapshot` (the picture itself); other settings are silent, so
 * silence within the timeout is reported as `sent 55 …`.
 */
import {
  MEGA_COMMANDS,
  MEGA_EFFECTS,
  MEGA_FORMATS,
  MEGA_RESOLUTIONS,
  MEGA_VIDEO_MODES,
  type MegaEffect,
  megaCommand,
  megaLevelByte,
} from '../protocol/mega-commands.js';
import type { DeviceEvent } from '../protocol/types.js';
import type { ControlAdapter, PreparedCommand } from './adapter.js';
import { hexByte } from './arducam-adapter.js';
import { actionVar, boolVar, type ControlVariable, enumVar, FRAMESIZES, intVar } from './vocabulary.js';

const SIZES = Object.keys(MEGA_RESOLUTIONS) as (keyof typeof MEGA_RESOLUTIONS)[];

/** Also accept the CameraWebServer names of the same sizes (VGA, HD, UXGA, …) and FHD/QXGA. */
function framesizeAliases(): Map<string, string> {
  const m = new Map<string, string>([
    ['FHD', '1920x1080'],
    ['QXGA', '2048x1536'],
  ]);
  for (const size of SIZES) {
    m.set(size.toUpperCase(), size);
    const cws = FRAMESIZES.find((f) => `${f.width}x${f.height}` === size);
    if (cws) m.set(cws.name.toUpperCase(), size);
  }
  return m;
}

/** CameraWebServer special_effect 0..6 (none, negative, grayscale, red, green, blue, sepia) → CAM_COLOR_FX. */
const EFFECTS: readonly MegaEffect[] = [
  'none',
  'negative',
  'bw',
  'redish',
  'grass_green',
  'blueish',
  'sepia',
];

interface MegaCommandSpec {
  variable: ControlVariable;
  encode(canonical: string | undefined): Uint8Array;
}

const COMMANDS: readonly MegaCommandSpec[] = [
  {
    variable: enumVar('framesize', SIZES, framesizeAliases()),
    encode: (v) =>
      megaCommand(
        MEGA_COMMANDS.setPictureResolution,
        (MEGA_FORMATS.jpeg << 4) | MEGA_RESOLUTIONS[v as keyof typeof MEGA_RESOLUTIONS],
      ),
  },
  {
    // Stream start is SET_VIDEO_RESOLUTION (it starts the preview); 320x240 keeps a UART link fluid.
    variable: boolVar('stream'),
    encode: (v) =>
      v === '1'
        ? megaCommand(MEGA_COMMANDS.setVideoResolution, MEGA_VIDEO_MODES['320x240'])
        : megaCommand(MEGA_COMMANDS.stopStream),
  },
  { variable: actionVar('snapshot'), encode: () => megaCommand(MEGA_COMMANDS.takePicture) },
  { variable: actionVar('info'), encode: () => megaCommand(MEGA_COMMANDS.getCameraInfo) },
  {
    variable: intVar('brightness', -4, 4),
    encode: (v) => megaCommand(MEGA_COMMANDS.setBrightness, megaLevelByte(Number(v), 4, 'brightness')),
  },
  {
    variable: intVar('contrast', -3, 3),
    encode: (v) => megaCommand(MEGA_COMMANDS.setContrast, megaLevelByte(Number(v), 3, 'contrast')),
  },
  {
    variable: intVar('saturation', -3, 3),
    encode: (v) => megaCommand(MEGA_COMMANDS.setSaturation, megaLevelByte(Number(v), 3, 'saturation')),
  },
  {
    variable: intVar('ae_level', -3, 3),
    encode: (v) => megaCommand(MEGA_COMMANDS.setEv, megaLevelByte(Number(v), 3, 'EV')),
  },
  { variable: intVar('sharpness', 0, 8), encode: (v) => megaCommand(MEGA_COMMANDS.setSharpness, Number(v)) },
  {
    // CameraWebServer wb_mode 0..4 (auto, sunny, cloudy, office, home) → CAM_WHITE_BALANCE (auto, sunny, office, cloudy, home).
    variable: intVar('wb_mode', 0, 4),
    encode: (v) => megaCommand(MEGA_COMMANDS.setWhiteBalance, [0, 1, 3, 2, 4][Number(v)]!),
  },
  {
    variable: intVar('special_effect', 0, EFFECTS.length - 1),
    encode: (v) => megaCommand(MEGA_COMMANDS.setSpecialEffects, MEGA_EFFECTS[EFFECTS[Number(v)]!]),
  },
  {
    // CameraWebServer quality is 4 (best) … 63; the Mega has 0 high, 1 default, 2 low.
    variable: intVar('quality', 4, 63),
    encode: (v) => megaCommand(MEGA_COMMANDS.setImageQuality, Number(v) <= 10 ? 0 : Number(v) <= 30 ? 1 : 2),
  },
];

export class ArducamMegaControlAdapter implements ControlAdapter {
  readonly supported: readonly string[] = COMMANDS.map((c) => c.variable.name);
  readonly silenceIsOk = true;

  prepare(variable: string, value: string | undefined): PreparedCommand {
    const cmd = COMMANDS.find((c) => c.variable.name === variable)!;
    const bytes = cmd.encode(cmd.variable.parse(value));
    return { bytes, sent: Array.from(bytes, hexByte).join(' ') };
  }

  isOk(reply: string): boolean {
    return !/^(error|err)\b/i.test(reply);
  }

  /** Reply packets (`streamoff`, versions) and the camera-info packet answer commands. */
  match(event: DeviceEvent): string | undefined {
    if (event.type === 'reply') return event.text;
    if (event.type === 'info') return event.raw;
    return undefined;
  }
}
