/**
 * Device text on its way to the terminal and /status: cut at 1 KB (marked), escaped before it
 * reaches a terminal (no ANSI escapes, no forged log lines), rate-limited with one
 * "N device lines suppressed" note; device info over 8 KB is not kept.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Camera } from '../../src/camera/camera.js';
import { DeviceLog, escapeDeviceText } from '../../src/camera/device-log.js';
import { resolveCamera } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { CamfEncoder } from '../../src/protocol/camf/frame.js';
import type { ByteSource, SourceSink } from '../../src/source/types.js';

function capture(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger({ level: 'debug', write: (l) => lines.push(l) }) };
}

afterEach(() => vi.useRealTimers());

describe('DeviceLog', () => {
  it('escapes what a terminal would act on, so a device can neither colour nor forge log lines', () => {
    const { lines, log } = capture();
    const d = new DeviceLog(log);
    d.add('\x1b[2J\x1b[31mred\x07 \rerror: cam0: forged\n\u202eevil');
    expect(lines).toEqual(['\\x1b[2J\\x1b[31mred\\x07 \\x0derror: cam0: forged\\x0a\\u202eevil']);
    expect(lines.join('')).not.toMatch(/[\x00-\x08\x0a-\x1f\x7f]/);
    // /status keeps the text as sent (JSON carries it safely).
    expect(d.lines()).toEqual(['\x1b[2J\x1b[31mred\x07 \rerror: cam0: forged\n\u202eevil']);
    expect(escapeDeviceText('plain text, tabs\tok')).toBe('plain text, tabs\tok');
  });

  it('cuts a line at 1 KB, saying how much was cut, in /status and on the terminal, and keeps the last 50', () => {
    const { lines, log } = capture();
    const d = new DeviceLog(log, { linesPerSecond: 1000, burst: 1000 });
    d.add('x'.repeat(5000));
    expect(d.lines()[0]).toBe(`${'x'.repeat(1024)}… [3976 more characters cut]`);
    expect(lines[0]).toBe(`${'x'.repeat(1024)}… [3976 more characters cut]`);
    for (let i = 0; i < 60; i++) d.add(`line ${i}`);
    expect(d.lines()).toHaveLength(50);
    expect(d.lines()[0]).toBe('line 10');
  });

  it('prints a burst, then at most the rate, and one note for what it held back', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { lines, log } = capture();
    const d = new DeviceLog(log, { linesPerSecond: 10, burst: 5 });
    for (let i = 0; i < 100; i++) d.add(`line ${i}`);
    expect(lines).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
    vi.advanceTimersByTime(1000);
    expect(lines.at(-1)).toBe('warn: 95 device lines suppressed (more than 10 a second)');
    // A second later the rate allows lines again (after the note).
    d.add('after the flood');
    expect(lines.at(-1)).toBe('after the flood');
    expect(d.lines()).toHaveLength(50);
  });
});

describe('Camera device info', () => {
  it('keeps device info up to 8 KB and notes, instead of keeping, anything larger', async () => {
    let sink: SourceSink | undefined;
    const source: ByteSource = {
      label: 'test',
      online: true,
      lastError: null,
      start: async (s) => {
        sink = s;
      },
      stop: async () => {},
      write: async () => {},
    };
    const camera = new Camera(resolveCamera({ source, protocol: 'camf' }, 0).settings, { source });
    await camera.start();
    const enc = new CamfEncoder();
    sink!.data(enc.info({ model: 'small', pad: 'p'.repeat(100) }));
    expect(camera.status().info).toMatchObject({ model: 'small' });
    sink!.data(enc.info({ model: 'huge', pad: 'p'.repeat(9000) }));
    expect(camera.status().info).toEqual({
      note: expect.stringMatching(/device info of 90\d\d characters not kept \(over 8192\)/),
    });
    expect(JSON.stringify(camera.status()).length).toBeLessThan(10_000);
    await camera.stop();
  });
});
