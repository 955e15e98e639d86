import { describe, expect, it } from 'vitest';
import { noise, openIrisFrame, uartMismatch } from '../../../scripts/device-streams.js';
import { INPUT_SLICE } from '../../../src/protocol/common/byte-store.js';
import { OpenIrisDecoder, openIrisCommand } from '../../../src/protocol/openiris/decoder.js';
import { decodeEveryChunking, logsOf, peakBuffered } from '../device-helpers.js';
import { digests, ESP32_BOOT_LOG, fixture, fixtureJpegs, framesOf, mulberry32 } from '../helpers.js';

const jpegs = fixtureJpegs();
const byName = (name: string): Buffer => jpegs.find((j) => j.name === name)!.bytes;
const make = () => new OpenIrisDecoder();

describe('OpenIrisDecoder', () => {
  it('openiris.bin: wrong-baud ROM boot log skipped, app log and reply logged, ten frames byte-exact', () => {
    const { events, stats } = decodeEveryChunking(make, fixture('streams/openiris.bin'));
    const names = ['qvga-022', 'qvga-023', 'qvga-024', 'vga-004', 'vga-005', 'vga-006', 'vga-007', 'vga-008'];
    names.push('qvga-001', 'qvga-002');
    expect(digests(framesOf(events))).toEqual(digests(names.map((n) => byName(`${n}.jpg`))));
    expect(logsOf(events)).toEqual(['[   812][I][main.cpp:98] setup(): OpenIris USB streaming', 'pong']);
    expect(stats.bytesSkipped).toBeGreaterThan(500);
    expect(stats).toMatchObject({ frames: 10, resyncs: 0 });
  });

  it('a readable ROM boot log (port at 115200) becomes log lines before the first frame', () => {
    const a = byName('qvga-003.jpg');
    const { events } = decodeEveryChunking(
      make,
      Buffer.concat([Buffer.from(ESP32_BOOT_LOG), openIrisFrame(a)]),
    );
    expect(logsOf(events)).toContain('rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)');
    expect(events.at(-1)).toMatchObject({ type: 'frame' });
  });

  it('frames every fixture JPEG byte-exact', () => {
    const all = jpegs.map((j) => j.bytes);
    const { events, stats } = decodeEveryChunking(make, Buffer.concat(all.map(openIrisFrame)));
    expect(digests(framesOf(events))).toEqual(digests(all));
    expect(stats).toMatchObject({ frames: all.length, resyncs: 0, bytesSkipped: 0 });
  });

  it('a payload that does not end in FF D9 is dropped and the next frame recovered', () => {
    const a = byName('qvga-004.jpg');
    const b = byName('qvga-005.jpg');
    for (const lost of [1, 2, 100, 3000]) {
      const broken = openIrisFrame(a);
      const cut = Buffer.concat([broken.subarray(0, 1000), broken.subarray(1000 + lost)]);
      const { events, stats } = decodeEveryChunking(
        make,
        Buffer.concat([cut, openIrisFrame(b), openIrisFrame(a)]),
      );
      expect(digests(framesOf(events)), `${lost} bytes lost`).toEqual(digests([b, a]));
      expect(stats.truncated, `${lost} bytes lost`).toBe(1);
    }
  });

  it('a header whose payload is not a JPEG is rejected at once', () => {
    const a = byName('qvga-006.jpg');
    const fake = Buffer.from([0xff, 0xa0, 0xff, 0xa1, 0x30, 0x75, 0x12, 0x34]);
    const d = new OpenIrisDecoder();
    const events = d.push(Buffer.concat([fake, openIrisFrame(a)]));
    expect(digests(framesOf(events))).toEqual(digests([a]));
    expect(d.stats.resyncs).toBe(1);
  });

  it('a length above maxFrameBytes is counted as oversized; memory stays bounded', () => {
    const max = 8 * 1024;
    const big = byName('vga-001.jpg');
    const small = byName('qvga-007.jpg');
    const stream = Buffer.concat([openIrisFrame(big), openIrisFrame(small)]);
    const { events, stats } = decodeEveryChunking(() => new OpenIrisDecoder({ maxFrameBytes: max }), stream);
    expect(digests(framesOf(events))).toEqual(digests([small]));
    expect(stats.oversized).toBe(1);
    for (const size of [1, 777, stream.length]) {
      const peak = peakBuffered(new OpenIrisDecoder({ maxFrameBytes: max }), stream, size);
      expect(peak, `chunk ${size}`).toBeLessThanOrEqual(max + 6 + Math.min(size, INPUT_SLICE));
    }
  });

  it('noise between frames is skipped', () => {
    const a = byName('qvga-008.jpg');
    const rand = mulberry32(5);
    const stream = Buffer.concat([openIrisFrame(a), noise(rand, 1000), openIrisFrame(a)]);
    const { events, stats } = decodeEveryChunking(make, stream);
    expect(framesOf(events)).toHaveLength(2);
    expect(stats.bytesSkipped).toBeGreaterThanOrEqual(900);
  });

  it('wrong-baud garbage is what a UART really reads: NULs, no text', () => {
    const garbage = uartMismatch(Buffer.from('hello\r\n'), 115_200, 3_000_000);
    expect(garbage.length).toBeGreaterThan(0);
    expect([...garbage].every((b) => b === 0)).toBe(true);
  });

  it('encodes commands as one JSON document', () => {
    expect(Buffer.from(openIrisCommand('set_fps', { fps: 60 })).toString()).toBe(
      '{"command":"set_fps","data":{"fps":60}}',
    );
    expect(() => openIrisCommand('Set FPS')).toThrow(/"Set FPS" is not/);
  });
});
