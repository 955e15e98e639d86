/**
 * Cross-language round trips: frames the C encoder emits decode byte-exact in the gateway's
 * TS CamfDecoder; command frames the TS encoder makes decode to exactly the expected commands in
 * the C decoder, through junk, corrupted and truncated frames; the committed vectors in
 * fixtures/vectors/ are checked in both directions.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CamfCommandDecoder, CamfDecoder } from '../../src/protocol/camf/decoder.js';
import { CamfType, encodeCamfFrame } from '../../src/protocol/camf/frame.js';
import type { DeviceEvent } from '../../src/protocol/types.js';
import { describeWithTools, itWithTools } from '../helpers/tools.js';
import { camfTool, REPO_DIR, run } from './c-build.js';
import {
  commandVectors,
  deviceEncodeArgs,
  deviceFramesByTs,
  type ExpectedDeviceEvent,
  sha256,
  VECTORS_DIR,
} from './vectors.js';

/** camf_tool's path, once a suite that needs gcc built it (see `buildsCamfTool`). */
let tool = '';

/** In a `describeWithTools(['gcc'], …)` suite: build camf_tool before its tests (once per file). */
function buildsCamfTool(): void {
  beforeAll(async () => {
    tool = await camfTool();
  });
}

/** Push `bytes` through a fresh CamfDecoder in pieces of `chunk` bytes. */
function decodeAll(bytes: Uint8Array, chunk = bytes.length): { events: DeviceEvent[]; dec: CamfDecoder } {
  const dec = new CamfDecoder();
  const events: DeviceEvent[] = [];
  for (let i = 0; i < bytes.length; i += chunk) events.push(...dec.push(bytes.subarray(i, i + chunk)));
  events.push(...dec.end());
  return { events, dec };
}

/** Events as the vectors' JSON describes them (frames by size and hash). */
function describeEvents(events: DeviceEvent[]): unknown[] {
  return events.map((e) => {
    switch (e.type) {
      case 'frame':
        return {
          type: 'frame',
          seq: e.seq,
          deviceTimeUs: e.deviceTimeUs,
          bytes: e.jpeg.length,
          sha256: sha256(e.jpeg),
        };
      case 'info':
        return { type: 'info', raw: e.raw };
      case 'log':
      case 'reply':
        return { type: e.type, text: e.text };
      default:
        return { type: e.type };
    }
  });
}

function describeExpected(expected: ExpectedDeviceEvent[]): unknown[] {
  return expected.map((e) => {
    if (e.type === 'frame') {
      return { type: 'frame', seq: e.seq, deviceTimeUs: e.deviceTimeUs, bytes: e.bytes, sha256: e.sha256 };
    }
    if (e.type === 'info') return { type: 'info', raw: e.raw };
    return { type: e.type, text: e.text };
  });
}

/** Run the C command decoder over `input`; returns the printed lines and its stats line. */
async function cCommands(input: Uint8Array, cap?: number): Promise<{ lines: string[]; stats: string }> {
  const r = await run(tool, cap === undefined ? ['commands'] : ['commands', '--cap', String(cap)], input);
  expect(r.code).toBe(0);
  const text = r.stdout.toString('utf8');
  return { lines: text === '' ? [] : text.replace(/\n$/, '').split('\n'), stats: r.stderr.trim() };
}

let seq = 0;
function command(text: string): Buffer {
  return encodeCamfFrame({ type: CamfType.Command, payload: text, seq: seq++, timestampUs: 1000 * seq });
}

describe('device → host: C encoder, TS decoder', () => {
  const committed = readFileSync(join(VECTORS_DIR, 'device-frames.bin'));
  const expected = JSON.parse(readFileSync(join(VECTORS_DIR, 'device-frames.json'), 'utf8')) as {
    events: ExpectedDeviceEvent[];
  };

  it('the committed device-frames.bin decodes to device-frames.json, whatever the chunking', () => {
    for (const chunk of [committed.length, 4096, 7, 1]) {
      const { events, dec } = decodeAll(committed, chunk);
      expect(describeEvents(events)).toEqual(describeExpected(expected.events));
      expect(dec.stats.crcErrors).toBe(0);
      expect(dec.stats.bytesSkipped).toBe(0);
    }
  });

  itWithTools(
    ['gcc'],
    'the C encoder reproduces device-frames.bin byte for byte, and so does the TS encoder',
    async () => {
      const r = await run(await camfTool(), deviceEncodeArgs());
      expect(r.code).toBe(0);
      expect(r.stdout.equals(committed)).toBe(true);
      expect(deviceFramesByTs().equals(committed)).toBe(true);
    },
  );

  itWithTools(
    ['gcc'],
    'every fixture JPEG streamed in 1-byte and 4 KiB camf_write pieces decodes byte-exact',
    async () => {
      const files = [
        'qvga-001',
        'qvga-012',
        'qvga-024',
        'vga-001',
        'vga-008',
        'restart',
        'exif-thumb',
        'progressive',
      ].map((f) => `../fixtures/jpeg/${f}.jpg`);
      for (const chunk of ['1', '4096']) {
        const r = await run(await camfTool(), [
          'encode',
          '--seq',
          '4294967290',
          '--chunk',
          chunk,
          ...files.map((f) => `jpeg:${f}`),
        ]);
        expect(r.code).toBe(0);
        const { events, dec } = decodeAll(r.stdout, 1000);
        const frames = events.filter((e) => e.type === 'frame');
        const want = files.map((f) => sha256(readFileSync(join(REPO_DIR, f.replace('../', '')))));
        expect(frames.map((f) => (f.type === 'frame' ? sha256(f.jpeg) : ''))).toEqual(want);
        // seq wraps from 2^32-1 to 0 without counting a drop or a restart.
        expect(frames.map((f) => f.seq)).toEqual([
          4294967290, 4294967291, 4294967292, 4294967293, 4294967294, 4294967295, 0, 1,
        ]);
        expect(dec.stats.deviceDrops).toBe(0);
        expect(dec.stats.crcErrors).toBe(0);
      }
    },
  );

  itWithTools(['gcc'], 'log, info and reply texts survive byte-exact, including UTF-8', async () => {
    const r = await run(await camfTool(), [
      'encode',
      'log:héllo ✓',
      'info:{"a":[1,2],"b":"ü"}',
      'reply:ok framesize=VGA',
      'reply:error x',
    ]);
    const { events } = decodeAll(r.stdout);
    expect(events).toEqual([
      { type: 'log', text: 'héllo ✓' },
      { type: 'info', info: { a: [1, 2], b: 'ü' }, raw: '{"a":[1,2],"b":"ü"}' },
      { type: 'reply', text: 'ok framesize=VGA' },
      { type: 'reply', text: 'error x' },
    ]);
  });
});

describeWithTools(['gcc'], 'host → device: TS encoder, C decoder', () => {
  buildsCamfTool();

  it('the committed commands.bin decodes to commands.json in C and in TS, and TS re-encodes it exactly', async () => {
    const bytes = readFileSync(join(VECTORS_DIR, 'commands.bin'));
    const { commands } = JSON.parse(readFileSync(join(VECTORS_DIR, 'commands.json'), 'utf8')) as {
      commands: string[];
    };
    expect((await cCommands(bytes)).lines).toEqual(commands);
    const ts = new CamfCommandDecoder().push(bytes).flatMap((e) => (e.type === 'command' ? [e.text] : []));
    expect(ts).toEqual(commands);
    const again = commandVectors();
    expect(again.bytes.equals(bytes)).toBe(true);
    expect(again.expected).toEqual(commands);
  });

  it('corrupting any single byte of a frame loses that frame alone', async () => {
    const victim = command('framesize=SVGA');
    const parts: Buffer[] = [];
    const expected: string[] = [];
    for (let k = 0; k < victim.length; k++) {
      const bad = Buffer.from(victim);
      bad[k] = bad[k]! ^ 0x5a;
      parts.push(bad);
      const next = `quality=${10 + (k % 50)}`;
      parts.push(command(next));
      expected.push(next);
    }
    const { lines, stats } = await cCommands(Buffer.concat(parts));
    expect(lines).toEqual(expected);
    expect(stats).toMatch(/commands=46 /);
  });

  it('a frame cut short at any byte does not cost the frame after it', async () => {
    const victim = command('special_effect=2');
    const parts: Buffer[] = [];
    const expected: string[] = [];
    for (let k = 1; k < victim.length; k++) {
      parts.push(victim.subarray(0, k));
      const next = `brightness=${(k % 5) - 2}`;
      parts.push(command(next));
      expected.push(next);
    }
    const { lines } = await cCommands(Buffer.concat(parts));
    expect(lines).toEqual(expected);
  });

  it('junk, echoed device frames, oversize and malformed commands never become commands', async () => {
    let x = 12345;
    const junk = (n: number): Buffer => {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        b[i] = x >>> 24;
      }
      return b;
    };
    const long = `framesize=${'X'.repeat(60)}`; // payload 70 > 64 bytes the 96-byte buffer allows
    const input = Buffer.concat([
      junk(300),
      command('info'),
      encodeCamfFrame({ type: CamfType.Jpeg, payload: Buffer.from([0xff, 0xd8, 0xff, 0xd9]), seq: 1 }),
      command(long),
      command('=VGA'),
      command('vflip=1'),
      junk(700),
      command('stream=1'),
      Buffer.from('CAMF'),
    ]);
    const { lines, stats } = await cCommands(input);
    expect(lines).toEqual(['info', '!malformed', 'vflip=1', 'stream=1']);
    expect(stats).toMatch(/oversized=1 /);
    // With a buffer big enough for it, the long command is accepted.
    expect((await cCommands(command(long), 128)).lines).toEqual([long]);
  });
});

describeWithTools(['gcc'], 'camf_tool device (the fake camera the e2e tests use)', () => {
  buildsCamfTool();

  it('boots with a log and an info frame, answers every command, sends a frame on snapshot', async () => {
    const input = Buffer.concat([
      command('framesize=VGA'),
      command('quality=99'),
      command('zoom=2'),
      command('snapshot'),
      command('info'),
      command('quality=20'),
    ]);
    const r = await run(tool, ['device', '--ignore', 'quality', '../fixtures/jpeg/qvga-001.jpg'], input);
    expect(r.code).toBe(0);
    const { events, dec } = decodeAll(r.stdout);
    expect(dec.stats.crcErrors).toBe(0);
    expect(events.filter((e) => e.type === 'reply').map((e) => (e.type === 'reply' ? e.text : ''))).toEqual([
      'ok framesize=VGA',
      'error unknown command zoom',
      'ok snapshot',
      'ok info',
    ]);
    const infos = events.filter((e) => e.type === 'info');
    expect(infos).toHaveLength(2);
    expect(infos[1]).toMatchObject({ info: { framesize: 'VGA' } });
    const frames = events.filter((e) => e.type === 'frame');
    expect(frames).toHaveLength(1);
    expect(
      frames[0]!.type === 'frame' &&
        frames[0]!.jpeg.equals(readFileSync(join(REPO_DIR, 'fixtures/jpeg/qvga-001.jpg'))),
    ).toBe(true);
    expect(events[0]).toEqual({ type: 'log', text: 'camf_tool fake device ready' });
    expect(events).toContainEqual({ type: 'log', text: 'cmd quality=99' });
  });
});

describeWithTools(['gcc'], 'camf_tool device: a command cut short, then silence', () => {
  buildsCamfTool();

  it('gives up on the partial frame after the line goes quiet and answers the command behind it', async () => {
    const child = spawn(tool, ['device', '--no-boot'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const dec = new CamfDecoder();
    const replies: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      for (const e of dec.push(chunk)) if (e.type === 'reply') replies.push(e.text);
    });
    try {
      // Only the header of a long command arrives; the short one behind it is too short to
      // complete the long one's length, so only the idle flush can find it.
      const long = command('framesize=UXGA&quality=10&x=1234567890');
      child.stdin.write(Buffer.concat([long.subarray(0, 28), command('vflip=1')]));
      const deadline = Date.now() + 5000;
      while (replies.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(replies).toEqual(['ok vflip=1']);
    } finally {
      child.stdin.end();
      await new Promise((r) => child.once('exit', r));
    }
  });
});
