import { describe, expect, it } from 'vitest';
import {
  megaImage,
  megaLegacyImage,
  megaPacket,
  megaStreamOff,
  megaText,
  noise,
  println,
} from '../../../scripts/device-streams.js';
import {
  info,
  MEGA_COMMANDS,
  megaCommand,
  setBrightness,
  setContrast,
  setEffect,
  startStream,
  stopStream,
  takePicture,
} from '../../../src/protocol/arducam-mega/commands.js';
import { ArducamMegaDecoder, parseMegaInfo } from '../../../src/protocol/arducam-mega/decoder.js';
import { INPUT_SLICE } from '../../../src/protocol/common/byte-store.js';
import { decodeEveryChunking, logsOf, peakBuffered, repliesOf } from '../device-helpers.js';
import { digests, fixture, fixtureJpegs, framesOf, mulberry32 } from '../helpers.js';

const jpegs = fixtureJpegs();
const byName = (name: string): Buffer => jpegs.find((j) => j.name === name)!.bytes;
const make = () => new ArducamMegaDecoder();

describe('ArducamMegaDecoder on recorded streams', () => {
  it('mega-current.bin: greetings, camera info, frames, a frame cut by stop, streamoff', () => {
    const { events, stats } = decodeEveryChunking(make, fixture('streams/mega-current.bin'));
    const names = ['vga-002', 'qvga-013', 'qvga-014', 'qvga-015', 'qvga-016', 'qvga-017'];
    expect(digests(framesOf(events))).toEqual(digests(names.map((n) => byName(`${n}.jpg`))));
    expect(logsOf(events)).toEqual(['Hello Arduino Mega!', 'Mega start!']);
    expect(repliesOf(events)).toEqual(['streamoff']);
    const infoEvent = events.find((e) => e.type === 'info');
    expect(infoEvent).toMatchObject({ info: { 'Camera Type': '5MP', 'Camera Gain Value Max': 1023 } });
    // The cut frame is the only casualty, and the reply right after it is still delivered.
    expect(stats).toMatchObject({ frames: 6, truncated: 1, resyncs: 1, oversized: 0 });
    expect(events.at(-1)).toEqual({ type: 'reply', text: 'streamoff' });
  });

  it('delivers the streamoff reply as soon as its trailer arrives, not at the next byte', () => {
    const d = new ArducamMegaDecoder();
    expect(d.push(megaStreamOff())).toEqual([{ type: 'reply', text: 'streamoff' }]);
    expect(d.bufferedBytes).toBe(0);
  });

  it('mega-legacy.bin: 55 AA framing and plain-text info lines', () => {
    const { events, stats } = decodeEveryChunking(make, fixture('streams/mega-legacy.bin'));
    const names = ['vga-003', 'qvga-019', 'qvga-020', 'qvga-021'];
    expect(digests(framesOf(events))).toEqual(digests(names.map((n) => byName(`${n}.jpg`))));
    expect(logsOf(events)).toEqual(['ReportCameraInfo', 'Camera Type:3MP', 'Camera Support Resolution:7894']);
    // The bare 55 BB of the legacy stop is the only thing skipped.
    expect(stats).toMatchObject({ frames: 4, bytesSkipped: 2, resyncs: 0 });
  });
});

describe('ArducamMegaDecoder frames every fixture JPEG byte-exact', () => {
  const all = jpegs.map((j) => j.bytes);
  it.each([
    ['current framing', (j: Buffer) => megaImage(j)],
    ['legacy framing', (j: Buffer) => megaLegacyImage(j)],
  ])('%s', (_name, frame) => {
    const { events, stats } = decodeEveryChunking(make, Buffer.concat(all.map(frame)));
    expect(digests(framesOf(events))).toEqual(digests(all));
    expect(stats).toMatchObject({ frames: all.length, resyncs: 0, bytesSkipped: 0 });
  });
});

describe('ArducamMegaDecoder hard cases', () => {
  const a = byName('qvga-005.jpg');
  const b = byName('qvga-006.jpg');

  it('a missing trailer drops that frame only; the next one is found', () => {
    const noTrailer = megaImage(a).subarray(0, -2);
    const { events, stats } = decodeEveryChunking(make, Buffer.concat([noTrailer, megaImage(b)]));
    expect(digests(framesOf(events))).toEqual(digests([b]));
    expect(stats.truncated).toBe(1);
  });

  it('a length that lies short or long drops that frame only', () => {
    const short = megaImage(a);
    short.writeUInt32LE(a.length - 500, 3);
    const long = megaLegacyImage(a);
    long.writeUInt32LE(a.length + 500, 3);
    for (const bad of [short, long]) {
      const { events, stats } = decodeEveryChunking(
        make,
        Buffer.concat([bad, megaImage(b), megaLegacyImage(a)]),
      );
      expect(digests(framesOf(events))).toEqual(digests([b, a]));
      expect(stats.resyncs).toBe(1);
    }
  });

  it('a length that lies long right onto the next packet’s trailer does not take that packet with it', () => {
    // Current and legacy framing: the lie covers its own trailer, the next header and JPEG, and
    // ends exactly at the next packet's trailer, so the claimed end looks right.
    for (const frame of [megaImage, megaLegacyImage]) {
      const liar = frame(a);
      const next = frame(b);
      liar.writeUInt32LE(a.length + 2 + next.length - 2, 3);
      const { events, stats } = decodeEveryChunking(make, Buffer.concat([liar, next, frame(a)]));
      expect(digests(framesOf(events)), frame.name).toEqual(digests([b, a]));
      expect(stats.truncated, frame.name).toBe(1);
    }
  });

  it('bytes lost inside an image make its trailer come early: the image is dropped, not served short', () => {
    const lossy = megaLegacyImage(Buffer.concat([a.subarray(0, 3000), a.subarray(3040)]));
    lossy.writeUInt32LE(a.length, 3); // the length the device announced before the bytes were lost
    const { events } = decodeEveryChunking(make, Buffer.concat([lossy, megaLegacyImage(b)]));
    expect(digests(framesOf(events))).toEqual(digests([b]));
  });

  it('a length beyond maxFrameBytes is counted as oversized without waiting for the bytes', () => {
    const huge = megaImage(a);
    huge.writeUInt32LE(0x7fffffff, 3);
    const d = new ArducamMegaDecoder();
    const events = d.push(Buffer.concat([huge, megaImage(b)]));
    expect(digests(framesOf(events))).toEqual(digests([b]));
    expect(d.stats).toMatchObject({ oversized: 1, frames: 1 });
  });

  it('memory stays bounded by maxFrameBytes whatever the chunking', () => {
    const max = 8 * 1024;
    const big = byName('vga-001.jpg');
    const stream = Buffer.concat([megaImage(big), megaImage(a), megaLegacyImage(big), megaImage(b)]);
    const { events, stats } = decodeEveryChunking(
      () => new ArducamMegaDecoder({ maxFrameBytes: max }),
      stream,
    );
    expect(digests(framesOf(events))).toEqual(digests([a, b]));
    expect(stats.oversized).toBe(2);
    for (const size of [1, 999, stream.length]) {
      const peak = peakBuffered(new ArducamMegaDecoder({ maxFrameBytes: max }), stream, size);
      expect(peak, `chunk ${size}`).toBeLessThanOrEqual(max + 16 + Math.min(size, INPUT_SLICE));
    }
  });

  it('unknown packet types are skipped by their length; text between packets is logged', () => {
    const stream = Buffer.concat([
      megaPacket(0x42, Buffer.from([1, 2, 3, 0xff, 0xbb, 4])),
      println('callback function is not registered'),
      megaImage(a),
    ]);
    const { events, stats } = decodeEveryChunking(make, stream);
    expect(digests(framesOf(events))).toEqual(digests([a]));
    expect(logsOf(events)).toEqual(['callback function is not registered']);
    expect(stats.bytesSkipped).toBe(15);
  });

  it('version replies, including the SDK reply that announces one byte less than it sends', () => {
    const fw = megaPacket(0x03, Buffer.from([0x17, 0x03, 0x1f, 0x02, 0x0d, 0x0a]));
    const sdk = megaPacket(0x05, Buffer.from([0x02, 0x01, 0x00, 0x00, 0x00, 0x0d, 0x0a]), 6);
    const { events } = decodeEveryChunking(make, Buffer.concat([fw, sdk, megaImage(a)]));
    expect(repliesOf(events)).toEqual(['firmware version 17 03 1f 02', 'sdk version 02 01 00 00 00']);
    expect(framesOf(events)).toHaveLength(1);
  });

  it('noise between packets is skipped and counted; no frame comes out of it', () => {
    const rand = mulberry32(11);
    const junk = noise(rand, 700);
    const { events, stats } = decodeEveryChunking(make, Buffer.concat([megaImage(a), junk, megaImage(b)]));
    expect(digests(framesOf(events))).toEqual(digests([a, b]));
    expect(stats.bytesSkipped).toBeGreaterThanOrEqual(600);
  });

  it('greeting packets become log lines', () => {
    const { events } = decodeEveryChunking(make, megaText(0x07, 'Hello Arduino Mega!'));
    expect(logsOf(events)).toEqual(['Hello Arduino Mega!']);
  });

  it('parses camera info lines into an object', () => {
    expect(parseMegaInfo('ReportCameraInfo\r\nCamera Type:3MP\r\nCamera Support Focus:0\r\n')).toEqual({
      'Camera Type': '3MP',
      'Camera Support Focus': 0,
    });
  });
});

describe('Mega commands', () => {
  it('are 55 <cmd> <args> AA as the ArducamLink examples parse them', () => {
    expect([...megaCommand(0x10)]).toEqual([0x55, 0x10, 0xaa]);
    expect(takePicture('640x480', 'jpeg').map((c) => [...c])).toEqual([
      [0x55, 0x01, 0x12, 0xaa],
      [0x55, 0x10, 0xaa],
    ]);
    expect([...startStream('320x240')]).toEqual([0x55, 0x02, 0x01, 0xaa]);
    expect([...stopStream()]).toEqual([0x55, MEGA_COMMANDS.stopStream, 0xaa]);
    expect([...info()]).toEqual([0x55, 0x0f, 0xaa]);
    expect([...setBrightness(-1)]).toEqual([0x55, 0x03, 0x02, 0xaa]);
    expect([...setBrightness(4)]).toEqual([0x55, 0x03, 0x07, 0xaa]);
    expect([...setContrast(-3)]).toEqual([0x55, 0x04, 0x06, 0xaa]);
    expect([...setEffect('sepia')]).toEqual([0x55, 0x08, 0x04, 0xaa]);
  });

  it('refuse bytes the device would misread, naming the problem', () => {
    expect(() => megaCommand(0x0e, 0x01, 0xaa, 0x00)).toThrow(/argument 2 cannot be 0xAA/);
    expect(() => megaCommand(0x100)).toThrow(/command must be a byte/);
    expect(() => setBrightness(5)).toThrow(/brightness must be an integer from -4 to 4/);
    expect(() => takePicture('123x45' as '320x240')).toThrow(/unknown Mega resolution "123x45"/);
  });
});
