/**
 * Arducam Mega controls: "ArducamLink" UART commands (`55 cmd args AA`, encoded in
 * commands.ts). The firmware answers `info` (camera info packet), `stream=0` (`streamoff`)
 * and `snapshot` (the picture itself); other settings are silent, so silence within the
 * timeout is reported as `sent 55 …`.
 */
import {
  actionControl,
  boolControl,
  type ControlDef,
  enumControl,
  intControl,
} from '../../control/schema.js';
import {
  FRAMESIZES,
  framesizeName,
  numberedChoices,
  SPECIAL_EFFECTS,
  sizeLabel,
  WB_MODES,
} from '../common/camera-web-server.js';
import { hexByte } from '../common/hex.js';
import type { CommandSet, PreparedCommand, ProtocolControls } from '../module.js';
import type { DeviceEvent } from '../types.js';
import {
  MEGA_COMMANDS,
  MEGA_EFFECTS,
  MEGA_FORMATS,
  MEGA_RESOLUTIONS,
  MEGA_VIDEO_MODES,
  type MegaEffect,
  type MegaResolution,
  megaCommand,
  megaLevelByte,
} from './commands.js';

const SIZES = Object.keys(MEGA_RESOLUTIONS) as MegaResolution[];

/** Also accept the CameraWebServer names of the same sizes (VGA, HD, UXGA, …) and FHD/QXGA. */
function framesizeAliases(): [string, string][] {
  const m: [string, string][] = [
    ['FHD', '1920x1080'],
    ['QXGA', '2048x1536'],
  ];
  for (const size of SIZES) {
    const cws = FRAMESIZES.find((f) => `${f.width}x${f.height}` === size);
    if (cws) m.push([cws.name, size]);
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

interface MegaControl {
  readonly def: ControlDef;
  encode(canonical: string | undefined): Uint8Array;
}

const level = (name: string, label: string, max: number, command: number, what: string): MegaControl => ({
  def: intControl(name, label, -max, max),
  encode: (v) => megaCommand(command, megaLevelByte(Number(v), max, what)),
});

const CONTROLS: readonly MegaControl[] = [
  {
    def: enumControl(
      'framesize',
      'Resolution',
      SIZES.map((size) => {
        const cws = framesizeName(size);
        return { value: size, label: cws ? `${sizeLabel(size)} (${cws})` : sizeLabel(size) };
      }),
      framesizeAliases(),
    ),
    encode: (v) =>
      megaCommand(
        MEGA_COMMANDS.setPictureResolution,
        (MEGA_FORMATS.jpeg << 4) | MEGA_RESOLUTIONS[v as MegaResolution],
      ),
  },
  {
    // Stream start is SET_VIDEO_RESOLUTION (it starts the preview); 320x240 keeps a UART link fluid.
    def: boolControl('stream', 'Device streaming'),
    encode: (v) =>
      v === '1'
        ? megaCommand(MEGA_COMMANDS.setVideoResolution, MEGA_VIDEO_MODES['320x240'])
        : megaCommand(MEGA_COMMANDS.stopStream),
  },
  {
    def: actionControl('snapshot', 'Take one picture'),
    encode: () => megaCommand(MEGA_COMMANDS.takePicture),
  },
  {
    def: actionControl('info', 'Device info', 'ask the camera for its info packet'),
    encode: () => megaCommand(MEGA_COMMANDS.getCameraInfo),
  },
  level('brightness', 'Brightness', 4, MEGA_COMMANDS.setBrightness, 'brightness'),
  level('contrast', 'Contrast', 3, MEGA_COMMANDS.setContrast, 'contrast'),
  level('saturation', 'Saturation', 3, MEGA_COMMANDS.setSaturation, 'saturation'),
  level('ae_level', 'Exposure (EV)', 3, MEGA_COMMANDS.setEv, 'EV'),
  {
    def: intControl('sharpness', 'Sharpness', 0, 8, '0 = auto'),
    encode: (v) => megaCommand(MEGA_COMMANDS.setSharpness, Number(v)),
  },
  {
    // CameraWebServer wb_mode 0..4 (auto, sunny, cloudy, office, home) → CAM_WHITE_BALANCE (auto, sunny, office, cloudy, home).
    def: enumControl('wb_mode', 'White balance mode', numberedChoices(WB_MODES)),
    encode: (v) => megaCommand(MEGA_COMMANDS.setWhiteBalance, [0, 1, 3, 2, 4][Number(v)]!),
  },
  {
    def: enumControl('special_effect', 'Effect', numberedChoices(SPECIAL_EFFECTS)),
    encode: (v) => megaCommand(MEGA_COMMANDS.setSpecialEffects, MEGA_EFFECTS[EFFECTS[Number(v)]!]),
  },
  {
    // CameraWebServer quality is 4 (best) … 63; the Mega has 0 high, 1 default, 2 low.
    def: intControl('quality', 'JPEG quality', 4, 63, 'lower is better: ≤ 10 high, ≤ 30 default, else low'),
    encode: (v) => megaCommand(MEGA_COMMANDS.setImageQuality, Number(v) <= 10 ? 0 : Number(v) <= 30 ? 1 : 2),
  },
];

class MegaCommandSet implements CommandSet {
  readonly controls = CONTROLS.map((c) => c.def);
  readonly silenceIsOk = true;

  encode(name: string, canonical: string | undefined): PreparedCommand {
    const bytes = CONTROLS.find((c) => c.def.spec.name === name)!.encode(canonical);
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

export const megaControls: ProtocolControls = {
  variants: ['mega'],
  commandSet: () => new MegaCommandSet(),
};
