/**
 * The ESP32 CameraWebServer vocabulary (`/control?var=…&val=…`), which every
 * protocol's controls speak so existing scripts and UIs keep working: frame
 * size names and the meaning of `special_effect` and `wb_mode` numbers.
 */

/**
 * esp32-camera `framesize_t` names up to UXGA (2 MP, the OV2640's maximum), with their sizes.
 * The numeric indices are the ones the classic CameraWebServer page sends (esp32-camera before
 * Nov 2024: 0 = 96X96 … 13 = UXGA); the gateway always sends the *name*, so firmware built
 * against a newer driver (which inserted 128X128 and 320X320) still gets what was meant.
 */
export const FRAMESIZES: readonly { name: string; width: number; height: number; index: number }[] = [
  { name: '96X96', width: 96, height: 96, index: 0 },
  { name: 'QQVGA', width: 160, height: 120, index: 1 },
  { name: 'QCIF', width: 176, height: 144, index: 2 },
  { name: 'HQVGA', width: 240, height: 176, index: 3 },
  { name: '240X240', width: 240, height: 240, index: 4 },
  { name: 'QVGA', width: 320, height: 240, index: 5 },
  { name: 'CIF', width: 400, height: 296, index: 6 },
  { name: 'HVGA', width: 480, height: 320, index: 7 },
  { name: 'VGA', width: 640, height: 480, index: 8 },
  { name: 'SVGA', width: 800, height: 600, index: 9 },
  { name: 'XGA', width: 1024, height: 768, index: 10 },
  { name: 'HD', width: 1280, height: 720, index: 11 },
  { name: 'SXGA', width: 1280, height: 1024, index: 12 },
  { name: 'UXGA', width: 1600, height: 1200, index: 13 },
];

/** `640x480` → `VGA` (the CameraWebServer name of a size), when there is one. */
export function framesizeName(size: string): string | undefined {
  return FRAMESIZES.find((f) => `${f.width}x${f.height}` === size.toLowerCase())?.name;
}

/** `640x480` → `640×480` for people. */
export function sizeLabel(size: string): string {
  return size.replace('x', '×');
}

/** CameraWebServer `special_effect` 0..6, in order. */
export const SPECIAL_EFFECTS = [
  'No effect',
  'Negative',
  'Grayscale',
  'Red tint',
  'Green tint',
  'Blue tint',
  'Sepia',
] as const;

/** CameraWebServer `wb_mode` 0..4, in order. */
export const WB_MODES = ['Auto', 'Sunny', 'Cloudy', 'Office', 'Home'] as const;

/** `[{value: '0', label: names[0]}, …]`: numbered choices as CameraWebServer sends them. */
export function numberedChoices(names: readonly string[]): { value: string; label: string }[] {
  return names.map((label, i) => ({ value: String(i), label }));
}
