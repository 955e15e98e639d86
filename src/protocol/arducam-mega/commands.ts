/**
 * Host → Arducam Mega commands, as parsed by the `ArducamLink` examples: `55`, the
 * command byte, its argument bytes, `AA`. The device reads arguments until the
 * first `AA`, so an argument byte can never be 0xAA (the encoder refuses it).
 */

/** Command bytes (`ArducamLink.h`). */
export const MEGA_COMMANDS = {
  /** arg: (format << 4) | resolution — takes a picture with those settings (no image sent). */
  setPictureResolution: 0x01,
  /** arg: video mode — starts streaming `FF AA 01` image packets. */
  setVideoResolution: 0x02,
  setBrightness: 0x03,
  setContrast: 0x04,
  setSaturation: 0x05,
  setEv: 0x06,
  setWhiteBalance: 0x07,
  setSpecialEffects: 0x08,
  /** arg: 0 off, 1 auto focus (OV5640 modules only). */
  setFocusControl: 0x09,
  /** arg: 1 auto exposure and gain, 0 manual. */
  setExposureAndGainControl: 0x0a,
  /** arg: 1 auto white balance, 0 manual. */
  setWhiteBalanceControl: 0x0c,
  /** args: gain high byte, low byte. */
  setManualGain: 0x0d,
  /** args: exposure bits 23-16, 15-8, 7-0. */
  setManualExposure: 0x0e,
  /** Replies with a type 02 camera-info packet. */
  getCameraInfo: 0x0f,
  /** Captures with the current settings and sends one type 01 image packet. */
  takePicture: 0x10,
  setSharpness: 0x11,
  /** Stops streaming; the device answers with a type 06 `streamoff` packet. */
  stopStream: 0x21,
  /** Replies with a type 03 packet (4 version bytes). */
  getFirmwareVersion: 0x30,
  /** Replies with a type 05 packet (SDK version bytes). */
  getSdkVersion: 0x40,
  /** arg: 0 high, 1 default, 2 low quality. */
  setImageQuality: 0x50,
  resetCamera: 0xff,
} as const;

/** `CAM_IMAGE_MODE` values (picture resolutions). */
export const MEGA_RESOLUTIONS = {
  '160x120': 0x00,
  '320x240': 0x01,
  '640x480': 0x02,
  '800x600': 0x03,
  '1280x720': 0x04,
  '1280x960': 0x05,
  '1600x1200': 0x06,
  '1920x1080': 0x07,
  '2048x1536': 0x08,
  '2592x1944': 0x09,
  '96x96': 0x0a,
  '128x128': 0x0b,
  '320x320': 0x0c,
} as const;
export type MegaResolution = keyof typeof MEGA_RESOLUTIONS;

/** `CAM_IMAGE_PIX_FMT` values. */
export const MEGA_FORMATS = { jpeg: 0x01, rgb565: 0x02, yuv: 0x03 } as const;
export type MegaFormat = keyof typeof MEGA_FORMATS;

/** `CAM_VIDEO_MODE` values for `startStream`. */
export const MEGA_VIDEO_MODES = { '320x240': 0x01, '640x480': 0x02 } as const;
export type MegaVideoMode = keyof typeof MEGA_VIDEO_MODES;

/** `CAM_COLOR_FX` values. */
export const MEGA_EFFECTS = {
  none: 0,
  blueish: 1,
  redish: 2,
  bw: 3,
  sepia: 4,
  negative: 5,
  grass_green: 6,
  over_exposure: 7,
  solarize: 8,
} as const;
export type MegaEffect = keyof typeof MEGA_EFFECTS;

/** `55 cmd args… AA`. */
export function megaCommand(cmd: number, ...args: number[]): Uint8Array {
  for (const [i, b] of [cmd, ...args].entries()) {
    const what = i === 0 ? 'command' : `argument ${i}`;
    if (!Number.isInteger(b) || b < 0 || b > 0xff) {
      throw new RangeError(`Mega ${what} must be a byte (0-255), got ${String(b)}`);
    }
    if (b === 0xaa)
      throw new RangeError(`Mega ${what} cannot be 0xAA: the device reads it as the end of the command`);
  }
  return Uint8Array.from([0x55, cmd, ...args, 0xaa]);
}

function lookup<T extends Record<string, number>>(table: T, key: string, what: string): number {
  const value = (table as Record<string, number>)[key];
  if (value === undefined)
    throw new RangeError(`unknown Mega ${what} "${key}"; one of: ${Object.keys(table).join(', ')}`);
  return value;
}

/**
 * Graded levels are sent in the library's encoding: 0 default, +n → 2n−1, −n → 2n
 * (`CAM_BRIGHTNESS_LEVEL_MINUS_1 = 2`, `CAM_BRIGHTNESS_LEVEL_1 = 1`, …).
 */
export function megaLevelByte(level: number, max: number, what: string): number {
  if (!Number.isInteger(level) || level < -max || level > max) {
    throw new RangeError(`Mega ${what} must be an integer from ${-max} to ${max}, got ${String(level)}`);
  }
  return level > 0 ? 2 * level - 1 : -2 * level;
}

/** Set resolution and format, then capture and send one picture. */
export function takePicture(resolution: MegaResolution, format: MegaFormat = 'jpeg'): Uint8Array[] {
  const arg =
    (lookup(MEGA_FORMATS, format, 'format') << 4) | lookup(MEGA_RESOLUTIONS, resolution, 'resolution');
  return [megaCommand(MEGA_COMMANDS.setPictureResolution, arg), megaCommand(MEGA_COMMANDS.takePicture)];
}

export function startStream(mode: MegaVideoMode = '320x240'): Uint8Array {
  return megaCommand(MEGA_COMMANDS.setVideoResolution, lookup(MEGA_VIDEO_MODES, mode, 'video mode'));
}

export function stopStream(): Uint8Array {
  return megaCommand(MEGA_COMMANDS.stopStream);
}

export function info(): Uint8Array {
  return megaCommand(MEGA_COMMANDS.getCameraInfo);
}

/** Brightness −4…+4. */
export function setBrightness(level: number): Uint8Array {
  return megaCommand(MEGA_COMMANDS.setBrightness, megaLevelByte(level, 4, 'brightness'));
}

/** Contrast −3…+3. */
export function setContrast(level: number): Uint8Array {
  return megaCommand(MEGA_COMMANDS.setContrast, megaLevelByte(level, 3, 'contrast'));
}

/** Saturation −3…+3. */
export function setSaturation(level: number): Uint8Array {
  return megaCommand(MEGA_COMMANDS.setSaturation, megaLevelByte(level, 3, 'saturation'));
}

/** Exposure value −3…+3. */
export function setEv(level: number): Uint8Array {
  return megaCommand(MEGA_COMMANDS.setEv, megaLevelByte(level, 3, 'EV'));
}

export function setEffect(effect: MegaEffect): Uint8Array {
  return megaCommand(MEGA_COMMANDS.setSpecialEffects, lookup(MEGA_EFFECTS, effect, 'effect'));
}

/** Sharpness 0 (auto) … 8. */
export function setSharpness(level: number): Uint8Array {
  if (!Number.isInteger(level) || level < 0 || level > 8) {
    throw new RangeError(`Mega sharpness must be an integer from 0 to 8, got ${String(level)}`);
  }
  return megaCommand(MEGA_COMMANDS.setSharpness, level);
}

/** JPEG quality: high, default or low. */
export function setImageQuality(quality: 'high' | 'default' | 'low'): Uint8Array {
  return megaCommand(
    MEGA_COMMANDS.setImageQuality,
    lookup({ high: 0, default: 1, low: 2 }, quality, 'quality'),
  );
}
