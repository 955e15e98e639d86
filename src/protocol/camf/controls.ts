/**
 * CAMF controls: the full CameraWebServer vocabulary the reference ESP32-CAM
 * firmware honours (the numeric ranges are the firmware's own table,
 * `firmware/camf/camf_vars.h`; a test keeps the two equal). A command is a type
 * 10 frame `name=value`; the answer is the next type 04 reply (`ok …` / `error …`).
 */
import {
  actionControl,
  boolControl,
  type ControlDef,
  enumControl,
  intControl,
} from '../../control/schema.js';
import { FRAMESIZES, numberedChoices, SPECIAL_EFFECTS, WB_MODES } from '../common/camera-web-server.js';
import type { CommandSet, PreparedCommand, ProtocolControls } from '../module.js';
import type { DeviceEvent } from '../types.js';
import { CamfEncoder } from './frame.js';

/** `framesize`: a CameraWebServer name (VGA), its classic index (8) or WIDTHxHEIGHT (640x480). */
const framesize: ControlDef = enumControl(
  'framesize',
  'Resolution',
  FRAMESIZES.map((f) => ({ value: f.name, label: `${f.name} ${f.width}×${f.height}` })),
  FRAMESIZES.flatMap((f) => [
    [String(f.index), f.name] as const,
    [`${f.width}x${f.height}`, f.name] as const,
  ]),
);

/** Everything a CAMF camera accepts, in display order. */
export const CAMF_CONTROLS: readonly ControlDef[] = [
  framesize,
  intControl('quality', 'JPEG quality', 4, 63, 'lower is better'),
  intControl('brightness', 'Brightness', -2, 2),
  intControl('contrast', 'Contrast', -2, 2),
  intControl('saturation', 'Saturation', -2, 2),
  intControl('sharpness', 'Sharpness', -2, 2),
  intControl('denoise', 'Denoise', 0, 8),
  enumControl('special_effect', 'Effect', numberedChoices(SPECIAL_EFFECTS)),
  enumControl('wb_mode', 'White balance mode', numberedChoices(WB_MODES)),
  boolControl('awb', 'Auto white balance'),
  boolControl('awb_gain', 'AWB gain'),
  boolControl('aec', 'Auto exposure'),
  boolControl('aec2', 'AEC DSP'),
  intControl('ae_level', 'AE level', -2, 2),
  intControl('aec_value', 'Exposure', 0, 1200),
  boolControl('agc', 'Auto gain'),
  intControl('agc_gain', 'Gain', 0, 30),
  intControl('gainceiling', 'Gain ceiling', 0, 6, '0 = 2×, 6 = 128×'),
  boolControl('bpc', 'Black pixel fix'),
  boolControl('wpc', 'White pixel fix'),
  boolControl('raw_gma', 'Raw gamma'),
  boolControl('lenc', 'Lens correction'),
  boolControl('hmirror', 'Mirror'),
  boolControl('vflip', 'Flip'),
  boolControl('dcw', 'Downsize (DCW)'),
  boolControl('colorbar', 'Colour bar'),
  intControl('led_intensity', 'LED', 0, 255),
  boolControl('stream', 'Device streaming'),
  actionControl('snapshot', 'Take one picture', 'one frame, then still'),
  actionControl('info', 'Device info', 'ask the device to send its info'),
];

class CamfCommandSet implements CommandSet {
  readonly controls = CAMF_CONTROLS;
  readonly silenceIsOk = false;
  readonly #encoder = new CamfEncoder();

  encode(name: string, canonical: string | undefined): PreparedCommand {
    return {
      bytes: this.#encoder.command(name, canonical),
      sent: canonical === undefined ? name : `${name}=${canonical}`,
    };
  }

  isOk(reply: string): boolean {
    return reply === 'ok' || reply.startsWith('ok ');
  }

  match(event: DeviceEvent): string | undefined {
    return event.type === 'reply' ? event.text : undefined;
  }

  /** The firmware's info says `streaming`; the control is `stream`. */
  infoValues(info: Record<string, unknown>): Record<string, unknown> {
    return 'streaming' in info ? { ...info, stream: info.streaming } : info;
  }
}

export const camfControls: ProtocolControls = {
  variants: ['esp32-camera'],
  commandSet: () => new CamfCommandSet(),
};
