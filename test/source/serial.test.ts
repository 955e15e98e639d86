import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPortMock } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { SerialSource } from '../../src/source/serial.js';
import type { SerialBinding, SourceSink } from '../../src/source/types.js';
import { until } from '../helpers/cli.js';

const PATH = '/dev/ttyMOCK0';
/** `MockBinding` from `@serialport/binding-mock`, reached through `serialport` (whose types resolve under NodeNext). */
const MockBinding = SerialPortMock.binding;
type MockPortBinding = Awaited<ReturnType<typeof MockBinding.open>>;

/** A sink that remembers everything the source reported. */
function recordingSink(): SourceSink & { bytes: () => Buffer; events: string[] } {
  const chunks: Buffer[] = [];
  const events: string[] = [];
  return {
    events,
    bytes: () => Buffer.concat(chunks),
    data: (chunk) => chunks.push(Buffer.from(chunk)),
    online: () => events.push('online'),
    offline: (reason) => events.push(`offline:${reason ?? 'stop'}`),
  };
}

/** MockBinding whose ports record every `set()` (the mock itself does not), with a timestamp. */
function lineRecordingBinding(calls: { dtr?: boolean; rts?: boolean; t: number }[]): SerialBinding {
  return {
    ...MockBinding,
    list: () => MockBinding.list(),
    async open(options: Parameters<typeof MockBinding.open>[0]) {
      const port = await MockBinding.open(options);
      const set = port.set.bind(port);
      port.set = async (flags) => {
        calls.push({ dtr: flags.dtr, rts: flags.rts, t: performance.now() });
        return set(flags);
      };
      return port;
    },
  } as unknown as SerialBinding;
}

const mockPort = (source: SerialSource): MockPortBinding => source.stream!.port as unknown as MockPortBinding;

describe('SerialSource on the mock binding', () => {
  let dir: string;
  const sources: SerialSource[] = [];
  const open = (options: Partial<ConstructorParameters<typeof SerialSource>[0]> = {}): SerialSource => {
    const s = new SerialSource({
      path: PATH,
      baudRate: 921_600,
      binding: MockBinding,
      retryMinMs: 20,
      ...options,
    });
    sources.push(s);
    return s;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'serial-'));
    MockBinding.createPort(PATH, { echo: false, record: true });
  });
  afterEach(async () => {
    for (const s of sources.splice(0)) await s.stop();
    MockBinding.reset();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a --record file that cannot be opened fails the start with one line, before the port is opened', async () => {
    const record = join(dir, 'no-such-dir', 'capture.bin');
    const source = open({ record });
    const sink = recordingSink();
    await expect(source.start(sink)).rejects.toMatchObject({
      message: `cannot record to ${record}: no such directory`,
    });
    expect(sink.events).toEqual([]);
    expect(source.online).toBe(false);
    // The port was never opened (nor locked): it opens at once now.
    const port = await MockBinding.open({ path: PATH, baudRate: 921_600 });
    await port.close();
  });

  it('a --record write that fails later is reported at once, stops the recording, and the port goes on', async () => {
    const logged: string[] = [];
    const logger = createLogger({ level: 'error', write: (line) => logged.push(line) });
    const source = open({ record: '/dev/full', logger });
    const sink = recordingSink();
    await source.start(sink);
    mockPort(source).emitData(Buffer.alloc(1000, 1));
    await until('the error reported', () => logged.length > 0);
    expect(logged).toEqual([
      expect.stringMatching(/cannot write recording \/dev\/full: .*no space.*; recording stopped/i),
    ]);
    expect(source.lastError).toMatch(/cannot write recording \/dev\/full/);
    expect(source.online).toBe(true);
    mockPort(source).emitData(Buffer.alloc(500, 2));
    await until('the bytes after it', () => sink.bytes().length === 1500);
    expect(logged).toHaveLength(1);
  });

  it('delivers every byte the device sends, in order, and records them to the --record file', async () => {
    const record = join(dir, 'capture.bin');
    const source = open({ record });
    const sink = recordingSink();
    await source.start(sink);
    expect(source.online).toBe(true);
    const sent = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff));
    for (let i = 0; i < sent.length; i += 777) mockPort(source).emitData(sent.subarray(i, i + 777));
    await until('all bytes', () => sink.bytes().length === sent.length);
    expect(sink.bytes().equals(sent)).toBe(true);
    await source.stop();
    expect(readFileSync(record).equals(sent)).toBe(true);
    expect(sink.events).toEqual(['online', 'offline:stop']);
  });

  it('sets DTR and RTS low after opening by default (never holds an ESP32 in reset)', async () => {
    const calls: { dtr?: boolean; rts?: boolean; t: number }[] = [];
    await open({ binding: lineRecordingBinding(calls) }).start(recordingSink());
    expect(calls.map(({ dtr, rts }) => ({ dtr, rts }))).toEqual([{ dtr: false, rts: false }]);
  });

  it('sets DTR and RTS as configured', async () => {
    const calls: { dtr?: boolean; rts?: boolean; t: number }[] = [];
    await open({ binding: lineRecordingBinding(calls), dtr: true, rts: false }).start(recordingSink());
    expect(calls.map(({ dtr, rts }) => ({ dtr, rts }))).toEqual([{ dtr: true, rts: false }]);
  });

  it('--reset pulses RTS high for ~100 ms, then low (esptool hard reset)', async () => {
    const calls: { dtr?: boolean; rts?: boolean; t: number }[] = [];
    await open({ binding: lineRecordingBinding(calls), reset: true }).start(recordingSink());
    expect(calls.map(({ dtr, rts }) => ({ dtr, rts }))).toEqual([
      { dtr: false, rts: false },
      { dtr: false, rts: true },
      { dtr: false, rts: false },
    ]);
    expect(calls[2]!.t - calls[1]!.t).toBeGreaterThanOrEqual(95);
  });

  it('writes commands to the port, and refuses while offline', async () => {
    const source = open();
    await source.start(recordingSink());
    await source.write(Buffer.from('CAMF-command'));
    expect(mockPort(source).recording.toString()).toBe('CAMF-command');
    await source.stop();
    await expect(source.write(Buffer.from('x'))).rejects.toThrow(/not open/);
  });

  it('goes offline when the port vanishes and comes back by itself when it reappears', async () => {
    const source = open();
    const sink = recordingSink();
    await source.start(sink);
    mockPort(source).emitData(Buffer.from('before'));
    await until('first bytes', () => sink.bytes().length === 6);
    // Unplug: the device disappears and the open port reports a disconnect.
    MockBinding.reset();
    source.stream!._disconnected(new Error('device reports readiness to read but returned no data'));
    await until('offline', () => !source.online);
    expect(sink.events[1]).toMatch(/^offline:port \/dev\/ttyMOCK0 went away/);
    expect(source.lastError).toMatch(/went away/);
    // Replug after a few failed reopen attempts.
    await until('a failed reopen', () => /no such port/.test(source.lastError ?? ''));
    MockBinding.createPort(PATH, { echo: false, record: true });
    await until('back online', () => source.online, 3000);
    expect(source.reopens).toBe(1);
    mockPort(source).emitData(Buffer.from('after'));
    await until('bytes after reopen', () => sink.bytes().toString() === 'beforeafter');
    expect(sink.events).toEqual(['online', expect.stringMatching(/^offline:/), 'online']);
  });

  it('opens exclusively: a second open of the same port says it is busy', async () => {
    await open().start(recordingSink());
    const second = open();
    await expect(second.start(recordingSink())).rejects.toMatchObject({
      code: 'EBUSY',
      message: expect.stringMatching(/^port \/dev\/ttyMOCK0 is busy/),
    });
  });
});

describe('SerialSource error messages on the real binding', () => {
  it('names a missing port', async () => {
    const source = new SerialSource({ path: '/dev/ttyUSB9-does-not-exist', baudRate: 921_600 });
    await expect(source.start(recordingSink())).rejects.toMatchObject({
      code: 'ENOENT',
      message: 'no such port /dev/ttyUSB9-does-not-exist',
    });
  });

  it('says a directory or a regular file is not a serial port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'notatty-'));
    try {
      await expect(
        new SerialSource({ path: dir, baudRate: 921_600 }).start(recordingSink()),
      ).rejects.toMatchObject({
        code: 'ENOTTY',
        message: expect.stringMatching(/is not a serial port/),
      });
      await expect(
        new SerialSource({ path: join(process.cwd(), 'package.json'), baudRate: 921_600 }).start(
          recordingSink(),
        ),
      ).rejects.toMatchObject({ code: 'ENOTTY' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
