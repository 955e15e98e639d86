/**
 * Writes fixtures/streams/: recorded-looking device byte streams built from fixtures/jpeg/*.jpg.
 * Deterministic (seeded PRNG, fixed device clock): running it twice gives identical files.
 *
 *   npx tsx scripts/make-stream-fixtures.ts [--out <dir>]     (default: fixtures/streams)
 *
 * camf-qvga.bin        ESP32 ROM boot log, CAMF info frame, log lines, the 24 QVGA frames
 * camf-vga-noise.bin   CAMF VGA frames with corrupted / cut frames and junk between (+ .json: what must come out)
 * jpeg-bootlog.bin     ESP32 ROM boot log, then bare JPEGs (QVGA + hard cases) with debug prints between (+ .json)
 * demo.camf            what `--demo` loops: info frame {"model":"demo",…}, a log line, the 24 QVGA frames
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CAMF_HEADER_BYTES, CamfEncoder } from '../src/protocol/camf/frame.js';
import { ESP32_ROM_LOG_LINES, mulberry32 } from './fixture-kit.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const JPEG_DIR = join(ROOT, 'fixtures', 'jpeg');
/** Device clock step between frames: 10 fps. */
const FRAME_US = 100_000;
const BOOT_US = 1_250_000;

/** The ESP32 ROM boot log, as printed on UART0 before the application starts. */
export const ESP32_ROM_BOOT_LOG = [
  ...ESP32_ROM_LOG_LINES,
  'I (29) boot: ESP-IDF v4.4.6 2nd stage bootloader',
  'I (29) boot: compile time 12:00:00',
  'I (30) boot: chip revision: v3.0',
  'I (33) boot.esp32: SPI Speed      : 40MHz',
  'I (38) boot.esp32: SPI Mode       : DIO',
  'I (42) boot.esp32: SPI Flash Size : 4MB',
  'I (289) cpu_start: Pro cpu up.',
  'I (486) cam_hal: cam init ok',
  'I (487) sccb: pin_sda 26 pin_scl 27',
  'I (535) camera: Detected OV2640 camera',
  '',
].join('\r\n');

function sha1(b: Uint8Array): string {
  return createHash('sha1').update(b).digest('hex');
}

function jpeg(name: string): Buffer {
  return readFileSync(join(JPEG_DIR, name));
}

function jpegNames(prefix: string): string[] {
  return readdirSync(JPEG_DIR)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.jpg'))
    .sort();
}

/** One frame that a correct decoder must emit, in order. */
export interface ExpectedFrame {
  file: string;
  sha1: string;
  bytes: number;
  /** CAMF seq, when the stream is CAMF. */
  seq?: number;
}

export interface StreamSidecar {
  description: string;
  protocol: 'camf' | 'jpeg';
  frames: ExpectedFrame[];
  /** Frames sent but damaged on purpose: they must NOT come out. */
  damaged: { file: string; seq?: number; how: string }[];
  /** Counters a correct decoder must reach exactly. */
  stats: Record<string, number>;
}

const latin1 = (s: string) => Buffer.from(s, 'latin1');

function cameraInfo(framesize: string): Record<string, unknown> {
  return { model: 'ESP32-CAM', sensor: 'OV2640', firmware: '1.0.0', framesize, quality: 12 };
}

function camfQvga(): Buffer {
  const enc = new CamfEncoder({ clockUs: () => 0 });
  const parts: Buffer[] = [latin1(ESP32_ROM_BOOT_LOG)];
  parts.push(enc.info(cameraInfo('QVGA'), BOOT_US));
  parts.push(enc.log('camera ready, streaming QVGA', BOOT_US + 1000));
  jpegNames('qvga-').forEach((name, i) => {
    parts.push(enc.jpeg(jpeg(name), BOOT_US + (i + 1) * FRAME_US));
  });
  return Buffer.concat(parts);
}

function camfVgaNoise(): { bytes: Buffer; sidecar: StreamSidecar } {
  const rand = mulberry32(0x5eed_0002);
  const enc = new CamfEncoder({ clockUs: () => 0 });
  const parts: Buffer[] = [latin1(ESP32_ROM_BOOT_LOG)];
  const frames: ExpectedFrame[] = [];
  const damaged: StreamSidecar['damaged'] = [];
  parts.push(enc.info(cameraInfo('VGA'), BOOT_US));
  const names = jpegNames('vga-');
  let crcErrors = 0;
  names.forEach((name, i) => {
    const seq = enc.nextSeq;
    const frame = enc.jpeg(jpeg(name), BOOT_US + (i + 1) * FRAME_US);
    switch (i) {
      case 1: {
        // One bit flipped in the payload (line noise).
        const at = CAMF_HEADER_BYTES + 100 + Math.floor(rand() * (frame.length - 200));
        frame[at]! ^= 1 << Math.floor(rand() * 8);
        damaged.push({ file: name, seq, how: `bit flip at payload offset ${at - CAMF_HEADER_BYTES}` });
        crcErrors++;
        parts.push(frame);
        return;
      }
      case 3: {
        // 2000 bytes lost from the middle of the payload (UART overrun): its length now covers frame 4.
        const at = CAMF_HEADER_BYTES + 3000;
        damaged.push({ file: name, seq, how: `2000 payload bytes lost at offset 3000` });
        crcErrors++;
        parts.push(frame.subarray(0, at), frame.subarray(at + 2000));
        return;
      }
      case 6: {
        // Header corrupted (the seq field).
        frame[9]! ^= 0x10;
        damaged.push({ file: name, seq, how: 'header byte 9 corrupted' });
        crcErrors++;
        parts.push(frame);
        return;
      }
      default:
        parts.push(frame);
        frames.push({ file: name, sha1: sha1(jpeg(name)), bytes: jpeg(name).length, seq });
    }
    if (i === 4) {
      // Debug prints and binary junk between frames.
      parts.push(latin1('E (5123) cam_hal: FB-OVF\r\nW (5124) cam_hal: NO-EOI\r\n'));
      const junk = Buffer.alloc(300);
      for (let k = 0; k < junk.length; k++) junk[k] = Math.floor(rand() * 256);
      parts.push(junk);
    }
  });
  parts.push(enc.log('stream stopped', BOOT_US + 10 * FRAME_US));
  const sidecar: StreamSidecar = {
    description:
      'CAMF VGA stream: ROM boot log, info frame, 8 VGA frames of which #2 (bit flip), #4 (2000 bytes lost) and #7 (header corrupted) are damaged, two cam_hal error prints and 300 random bytes after #5, a final log line.',
    protocol: 'camf',
    frames,
    damaged,
    stats: { frames: frames.length, deviceDrops: damaged.length, deviceRestarts: 0, crcErrors },
  };
  return { bytes: Buffer.concat(parts), sidecar };
}

function jpegBootlog(): { bytes: Buffer; sidecar: StreamSidecar } {
  const names = [
    ...jpegNames('qvga-').slice(0, 8),
    'exif-thumb.jpg',
    'progressive.jpg',
    'restart.jpg',
    'dqt-ffd9.jpg',
  ];
  const parts: Buffer[] = [latin1(ESP32_ROM_BOOT_LOG)];
  const frames: ExpectedFrame[] = [];
  let t = 612;
  for (const name of names) {
    const b = jpeg(name);
    parts.push(b, latin1(`I (${t}) cam: frame ${name} ${b.length} bytes\r\n`));
    frames.push({ file: name, sha1: sha1(b), bytes: b.length });
    t += 100;
  }
  const bytes = Buffer.concat(parts);
  const skipped = bytes.length - frames.reduce((n, f) => n + f.bytes, 0);
  return {
    bytes,
    sidecar: {
      description:
        'Bare JPEG stream: ROM boot log, then 8 QVGA frames and the walker hard cases (EXIF thumbnail, progressive, restart markers, FF D9 in DQT/COM), each followed by a debug print.',
      protocol: 'jpeg',
      frames,
      damaged: [],
      stats: { frames: frames.length, bytesSkipped: skipped, truncated: 0 },
    },
  };
}

function demo(): Buffer {
  const enc = new CamfEncoder({ clockUs: () => 0 });
  const names = jpegNames('qvga-');
  const parts: Buffer[] = [
    enc.info(
      {
        model: 'demo',
        sensor: 'fixture',
        firmware: 'cam-gateway-demo',
        framesize: 'QVGA',
        quality: 7,
        frames: names.length,
      },
      0,
    ),
    enc.log(`demo: ${names.length} frames of a moving test pattern, looped`, 1000),
  ];
  names.forEach((name, i) => {
    parts.push(enc.jpeg(jpeg(name), (i + 1) * FRAME_US));
  });
  return Buffer.concat(parts);
}

/** Every stream fixture, by file name. */
export function buildStreamFixtures(): Record<string, Buffer> {
  const noise = camfVgaNoise();
  const boot = jpegBootlog();
  const json = (v: unknown) => Buffer.from(`${JSON.stringify(v, null, 2)}\n`);
  return {
    'camf-qvga.bin': camfQvga(),
    'camf-vga-noise.bin': noise.bytes,
    'camf-vga-noise.json': json(noise.sidecar),
    'jpeg-bootlog.bin': boot.bytes,
    'jpeg-bootlog.json': json(boot.sidecar),
    'demo.camf': demo(),
  };
}

function main(): void {
  const i = process.argv.indexOf('--out');
  const out =
    i >= 0 && process.argv[i + 1] ? resolve(process.argv[i + 1]!) : join(ROOT, 'fixtures', 'streams');
  mkdirSync(out, { recursive: true });
  for (const [name, bytes] of Object.entries(buildStreamFixtures())) {
    writeFileSync(join(out, name), bytes);
    console.log(`${join(out, name)}  ${bytes.length} bytes`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
