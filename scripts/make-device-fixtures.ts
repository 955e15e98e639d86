/**
 * Records the device byte streams in fixtures/streams/ (arducam-*, mega-*, openiris*)
 * from the real JPEGs in fixtures/jpeg/, byte for byte as the firmwares write them.
 * Deterministic: same output on every run.  Run: npx tsx scripts/make-device-fixtures.ts
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ackLine,
  arducamCapture,
  arducamStreamFrame,
  megaImage,
  megaLegacyImage,
  megaStreamOff,
  megaText,
  noise,
  openIrisFrame,
  println,
  uartMismatch,
} from './device-streams.js';
import { ESP32_BOOT_LOG, mulberry32 } from './fixture-kit.js';

const root = fileURLToPath(new URL('../fixtures/', import.meta.url));
const out = join(root, 'streams');

function jpeg(name: string): Buffer {
  return readFileSync(join(root, 'jpeg', name));
}

const ARDUCAM_BOOT = [ackLine('ArduCAM Start!'), ackLine('SPI interface OK.'), ackLine('OV2640 detected.')];

const streams: Record<string, Buffer> = {
  // 2017+ functions sketch: boot, one single shot at 320x240, switch to 640x480, another shot.
  'arducam-single.bin': Buffer.concat([
    ...ARDUCAM_BOOT,
    ackLine('CAM start single shoot.'),
    arducamCapture(jpeg('qvga-001.jpg')),
    ackLine('switch to OV2640_640x480'),
    ackLine('CAM start single shoot.'),
    arducamCapture(jpeg('vga-001.jpg')),
  ]),

  // Streaming: ACK IMG END + JPEG, a setting changed mid-stream, line noise twice, the hard-case JPEGs.
  'arducam-stream.bin': (() => {
    const rand = mulberry32(0xa7d0ca);
    const parts: Buffer[] = [...ARDUCAM_BOOT, ackLine('CAM start video streaming.')];
    const names = [
      'qvga-002.jpg',
      'qvga-003.jpg',
      'qvga-004.jpg',
      'exif-thumb.jpg',
      'qvga-005.jpg',
      'progressive.jpg',
      'qvga-006.jpg',
      'restart.jpg',
      'dqt-ffd9.jpg',
      'qvga-007.jpg',
    ];
    names.forEach((name, i) => {
      if (i === 3) parts.push(ackLine('Set to Sunny'));
      if (i === 2 || i === 7) parts.push(noise(rand, 40), Buffer.from([0x00]));
      parts.push(arducamStreamFrame(jpeg(name)));
    });
    parts.push(ackLine('CAM stop video streaming.'));
    return Buffer.concat(parts);
  })(),

  // 2016 Video_Streaming sketch: no END suffix, no ACK IMG END; JPEG right after the length line,
  // streaming frames back to back with no text at all.
  'arducam-2016.bin': Buffer.concat([
    println('ACK CMD ArduCAM Start!'),
    println('ACK CMD OV2640 detected.'),
    println('ACK CMD CAM start single shoot.'),
    arducamCapture(jpeg('qvga-008.jpg'), true),
    println('ACK CMD CAM start video streaming.'),
    ...['qvga-009.jpg', 'qvga-010.jpg', 'qvga-011.jpg', 'qvga-012.jpg'].map((n) =>
      arducamStreamFrame(jpeg(n), true),
    ),
    println('ACK CMD CAM stop video streaming!'),
  ]),

  // Current Mega firmware: greetings, camera info, one picture, a stream of five frames, then
  // stop while a sixth frame is on the wire (cut inside its entropy data) and the streamoff reply.
  'mega-current.bin': (() => {
    const cut = jpeg('qvga-018.jpg');
    const cutFrame = megaImage(cut).subarray(0, 8 + Math.floor(cut.length * 0.6));
    return Buffer.concat([
      megaText(0x07, 'Hello Arduino Mega!'),
      megaText(0x08, 'Mega start!'),
      megaText(
        0x02,
        'ReportCameraInfo\r\nCamera Type:5MP\r\nCamera Support Resolution:7894\r\nCamera Support specialeffects:63\r\n' +
          'Camera Support Focus:1\r\nCamera Exposure Value Max:30000\r\nCamera Exposure Value Min:1\r\n' +
          'Camera Gain Value Max:1023\r\nCamera Gain Value Min:1\r\nCamera Support Sharpness:0',
      ),
      megaImage(jpeg('vga-002.jpg'), 2),
      ...['qvga-013.jpg', 'qvga-014.jpg', 'qvga-015.jpg', 'qvga-016.jpg', 'qvga-017.jpg'].map((n) =>
        megaImage(jpeg(n), 1),
      ),
      cutFrame,
      megaStreamOff(),
    ]);
  })(),

  // Legacy Mega firmware (55 AA … 55 BB) with its plain-text camera info and the bare 55 BB stop reply.
  'mega-legacy.bin': Buffer.concat([
    println('ReportCameraInfo'),
    println('Camera Type:3MP'),
    println('Camera Support Resolution:7894'),
    megaLegacyImage(jpeg('vga-003.jpg')),
    ...['qvga-019.jpg', 'qvga-020.jpg', 'qvga-021.jpg'].map((n) => megaLegacyImage(jpeg(n))),
    Buffer.from([0x55, 0xbb]),
  ]),

  // OpenIris at 3 Mbaud: the ESP32 ROM boot log sent at 115200 arrives as junk, then a readable
  // application log line, ten frames and a command reply (`printf("%s \n\r")`) between frames.
  'openiris.bin': Buffer.concat([
    uartMismatch(Buffer.from(ESP32_BOOT_LOG, 'latin1'), 115_200, 3_000_000),
    println('[   812][I][main.cpp:98] setup(): OpenIris USB streaming'),
    ...['qvga-022.jpg', 'qvga-023.jpg', 'qvga-024.jpg', 'vga-004.jpg', 'vga-005.jpg'].map((n) =>
      openIrisFrame(jpeg(n)),
    ),
    Buffer.from('pong \n\r', 'latin1'),
    ...['vga-006.jpg', 'vga-007.jpg', 'vga-008.jpg', 'qvga-001.jpg', 'qvga-002.jpg'].map((n) =>
      openIrisFrame(jpeg(n)),
    ),
  ]),
};

mkdirSync(out, { recursive: true });
let total = 0;
for (const [name, bytes] of Object.entries(streams)) {
  writeFileSync(join(out, name), bytes);
  total += bytes.length;
  console.log(`${name.padEnd(20)} ${String(bytes.length).padStart(7)} bytes`);
}
console.log(`${'total'.padEnd(20)} ${String(total).padStart(7)} bytes`);
