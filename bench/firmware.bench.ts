/**
 * Firmware C library on the host (gcc -O2): command-decoder throughput on clean, noisy and
 * all-corrupt input (the byte-at-a-time decoder rescans held bytes after a bad CRC, so corrupt
 * input is its worst case), and encoder throughput with each CRC implementation. Baseline: the
 * gateway's TS CamfCommandDecoder / encodeCamfFrame on the same bytes, in this process.
 * C figures exclude process start-up (a run on empty input is subtracted).
 * Host MB/s say nothing absolute about a microcontroller; the ratios between rows do
 * (e.g. bitwise vs table CRC, clean vs corrupt input).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CamfCommandDecoder } from '../src/protocol/camf/decoder.js';
import { CamfType, encodeCamfFrame } from '../src/protocol/camf/frame.js';
import { machineNote, printTable, ratio } from './lib/harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIRMWARE = join(ROOT, 'firmware');
const MB = 1e6;

function build(crcImpl: number, dir: string): string {
  const out = join(dir, `camf_tool_crc${crcImpl}`);
  const r = spawnSync(
    'gcc',
    ['-std=c99', '-O2', `-DCAMF_CRC_IMPL=${crcImpl}`, '-o', out, 'test/camf_tool.c', 'camf/camf.c'],
    { cwd: FIRMWARE, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`gcc failed: ${r.stderr}`);
  return out;
}

/** Seconds a run of `tool args` takes on `input`, best of 3, minus start-up. */
function timeC(tool: string, args: string[], input: Buffer, startup: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = spawnSync(tool, args, { cwd: FIRMWARE, input, stdio: ['pipe', 'ignore', 'pipe'] });
    const t = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`${tool} ${args[0]} failed: ${r.stderr}`);
    best = Math.min(best, t);
  }
  return Math.max(best - startup, 1e-6);
}

function timeTs(fn: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

function commandStream(kind: 'clean' | 'noisy' | 'corrupt', bytes: number): Buffer {
  const parts: Buffer[] = [];
  let n = 0;
  let seq = 0;
  let x = 1;
  while (n < bytes) {
    const f = encodeCamfFrame({ type: CamfType.Command, payload: `quality=${10 + (seq % 50)}`, seq: seq++ });
    if (kind === 'corrupt') f[f.length - 1] = f[f.length - 1]! ^ 0xff;
    parts.push(f);
    n += f.length;
    if (kind === 'noisy') {
      const junk = Buffer.alloc(f.length);
      for (let i = 0; i < junk.length; i++) {
        x = (x * 1103515245 + 12345) >>> 0;
        junk[i] = x >>> 24;
      }
      parts.push(junk);
      n += junk.length;
    }
  }
  return Buffer.concat(parts);
}

export default async function run(): Promise<void> {
  console.log('firmware: camf C library on the host vs the gateway TS code on the same bytes');
  console.log(machineNote());
  const dir = mkdtempSync(join(tmpdir(), 'bench-firmware-'));
  const tools = [0, 1, 2].map((impl) => build(impl, dir));
  const table = tools[2]!;
  const startup = timeC(table, ['commands'], Buffer.alloc(0), 0);

  const rows: string[][] = [['case', 'C MB/s', 'TS MB/s', 'C / TS']];
  for (const kind of ['clean', 'noisy', 'corrupt'] as const) {
    const input = commandStream(kind, 8 * MB);
    const c = timeC(table, ['commands'], input, startup);
    const ts = timeTs(() => new CamfCommandDecoder().push(input));
    rows.push([
      `decode commands, ${kind}`,
      (input.length / MB / c).toFixed(1),
      (input.length / MB / ts).toFixed(1),
      ratio(input.length / c, input.length / ts),
    ]);
  }

  // Encoder + CRC alone: one fixture JPEG held in memory, sent REPEAT times in 4 KiB camf_write pieces.
  const REPEAT = 1000;
  const jpeg = readFileSync(join(ROOT, 'fixtures', 'jpeg', 'vga-001.jpg'));
  const total = jpeg.length * REPEAT;
  const ts = timeTs(() => {
    for (let i = 0; i < REPEAT; i++) encodeCamfFrame({ type: CamfType.Jpeg, payload: jpeg, seq: i });
  });
  const encStartup = timeC(table, ['encode'], Buffer.alloc(0), 0);
  for (const [impl, name] of ['bitwise', 'nibble table', 'byte table'].entries()) {
    const args = ['encode', '--chunk', '4096', `repeat=${REPEAT}:../fixtures/jpeg/vga-001.jpg`];
    const c = timeC(tools[impl]!, args, Buffer.alloc(0), encStartup);
    rows.push([
      `encode JPEG frames, CRC ${name}`,
      (total / MB / c).toFixed(1),
      (total / MB / ts).toFixed(1),
      ratio(total / c, total / ts),
    ]);
  }
  console.log(
    'inputs: 8 MB of command frames (noisy: half random junk; corrupt: every payload CRC wrong); ' +
      `vga-001.jpg × ${REPEAT} = ${(total / MB).toFixed(1)} MB of frames (C output to /dev/null)`,
  );
  printTable(rows);
}
