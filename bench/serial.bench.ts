/**
 * Serial ingest: how fast bytes from a real pty get through the gateway's
 * serial source + CAMF decoder into the ring, against a bare `fs` read of the
 * same pty (the ceiling), both fed by `cat` of the same CAMF capture in a child
 * process. Then hot-plug: time from the device path reappearing to the port
 * being open again, against a cold open of a fresh port. BENCH_SECONDS is not
 * used: the workload is a fixed size (BENCH_SERIAL_MB, default 16).
 */
import { spawn } from 'node:child_process';
import {
  constants,
  createReadStream,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Camera } from '../src/camera/camera.js';
import { resolveCamera } from '../src/config.js';
import { CamfEncoder } from '../src/protocol/camf/frame.js';
import { SerialSource } from '../src/source/serial.js';
import { openPty } from '../test/helpers/pty.js';
import { cpuSeconds, machineNote, percentile, printTable, ratio, waitFor } from './lib/harness.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/jpeg/', import.meta.url));

function capture(megabytes: number): { bytes: Buffer; frames: number } {
  const jpegs = readdirSync(FIXTURES)
    .filter((f) => f.startsWith('qvga-'))
    .sort()
    .map((f) => readFileSync(join(FIXTURES, f)));
  const encoder = new CamfEncoder();
  const parts: Buffer[] = [];
  let size = 0;
  let frames = 0;
  while (size < megabytes * 1e6) {
    const frame = encoder.jpeg(jpegs[frames % jpegs.length]!);
    parts.push(frame);
    size += frame.length;
    frames++;
  }
  return { bytes: Buffer.concat(parts), frames };
}

interface Ingest {
  seconds: number;
  cpu: number;
}

/** `cat file > host` in a child process; resolves when `done()` says the reader has everything. */
async function feed(file: string, host: string, done: () => boolean): Promise<Ingest> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const cat = spawn('sh', ['-c', 'cat "$0" > "$1"', file, host], { stdio: 'ignore' });
  await waitFor(done, 120_000, 'the reader to get every byte');
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(cpu0, process.cpuUsage());
  await new Promise((r) => (cat.exitCode === null ? cat.once('exit', r) : r(null)));
  return { seconds, cpu };
}

async function baselineIngest(dir: string, file: string, total: number): Promise<Ingest> {
  const pty = await openPty(dir, 'raw');
  try {
    let got = 0;
    const fd = openSync(pty.dev, constants.O_RDONLY | constants.O_NOCTTY);
    const reader = createReadStream('', { fd, highWaterMark: 64 * 1024 });
    reader.on('data', (chunk) => {
      got += chunk.length;
    });
    reader.on('error', () => {});
    const result = await feed(file, pty.host, () => got >= total);
    reader.destroy();
    return result;
  } finally {
    await pty.close();
  }
}

async function gatewayIngest(dir: string, file: string, frames: number): Promise<Ingest> {
  const pty = await openPty(dir, 'gw');
  const source = new SerialSource({ path: pty.dev, baudRate: 921_600 });
  const camera = new Camera(resolveCamera({ port: pty.dev, protocol: 'camf' }, 0).settings, { source });
  try {
    await camera.start();
    const result = await feed(file, pty.host, () => camera.status().frames >= frames);
    const s = camera.status();
    if (s.crcErrors > 0) console.log(`  (gateway saw ${s.crcErrors} CRC errors)`);
    return result;
  } finally {
    await camera.stop();
    await pty.close();
  }
}

/** Link appears → port open: for a replug (reopen loop) and for a cold start. */
async function reconnects(dir: string, cycles: number): Promise<{ replug: number[]; cold: number[] }> {
  const replug: number[] = [];
  const cold: number[] = [];
  let pty = await openPty(dir, 'hp');
  let onlineAt = 0;
  const sink = {
    data: () => {},
    online: () => {
      onlineAt = performance.now();
    },
    offline: () => {},
  };
  const source = new SerialSource({ path: pty.dev, baudRate: 921_600 });
  await source.start(sink);
  for (let i = 0; i < cycles; i++) {
    await pty.close();
    await waitFor(() => !source.online, 5000, 'offline');
    pty = await openPty(dir, 'hp'); // resolves as soon as the link exists (5 ms polling)
    const t0 = performance.now();
    await waitFor(() => source.online, 5000, 'back online');
    replug.push(Math.max(0, onlineAt - t0));

    const fresh = await openPty(dir, `cold${i}`);
    const t1 = performance.now();
    const coldSource = new SerialSource({ path: fresh.dev, baudRate: 921_600 });
    await coldSource.start(sink);
    cold.push(performance.now() - t1);
    await coldSource.stop();
    await fresh.close();
  }
  await source.stop();
  await pty.close();
  return { replug: replug.sort((a, b) => a - b), cold: cold.sort((a, b) => a - b) };
}

export default async function run(): Promise<void> {
  const megabytes = Number(process.env.BENCH_SERIAL_MB ?? 16);
  const dir = mkdtempSync(join(tmpdir(), 'bench-serial-'));
  try {
    const { bytes, frames } = capture(megabytes);
    const file = join(dir, 'capture.camf');
    writeFileSync(file, bytes);
    console.log(
      `serial ingest: ${(bytes.length / 1e6).toFixed(1)} MB of CAMF (${frames} QVGA frames) through a pty`,
    );
    console.log(machineNote());
    const base = await baselineIngest(dir, file, bytes.length);
    const ours = await gatewayIngest(dir, file, frames);
    const mbps = (r: Ingest): number => bytes.length / 1e6 / r.seconds;
    const cpuPerMb = (r: Ingest): number => (r.cpu * 1000) / (bytes.length / 1e6);
    printTable([
      ['', 'gateway (serialport + decoder + ring)', 'bare fs read', 'gateway / bare'],
      ['MB/s', mbps(ours).toFixed(1), mbps(base).toFixed(1), ratio(mbps(ours), mbps(base))],
      ['frames/s', (frames / ours.seconds).toFixed(0), (frames / base.seconds).toFixed(0), ''],
      [
        'CPU ms per MB (this process)',
        cpuPerMb(ours).toFixed(2),
        cpuPerMb(base).toFixed(2),
        ratio(cpuPerMb(ours), cpuPerMb(base)),
      ],
    ]);
    const uartMbps = 2_000_000 / 10 / 1e6;
    console.log(
      `a 2 Mbaud UART carries ${uartMbps} MB/s: the gateway ingests ${(mbps(ours) / uartMbps).toFixed(0)}× that`,
    );

    const cycles = 10;
    const { replug, cold } = await reconnects(dir, cycles);
    const ms = (x: number): string => `${x.toFixed(1)} ms`;
    console.log(`hot-plug: device path reappears → port open again (${cycles} cycles)`);
    printTable([
      ['', 'replug (reopen loop)', 'cold open of a new port', 'replug / cold'],
      [
        'p50',
        ms(percentile(replug, 50)),
        ms(percentile(cold, 50)),
        ratio(percentile(replug, 50), percentile(cold, 50)),
      ],
      [
        'max',
        ms(percentile(replug, 100)),
        ms(percentile(cold, 100)),
        ratio(percentile(replug, 100), percentile(cold, 100)),
      ],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
