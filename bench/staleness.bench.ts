/**
 * Staleness: unmodified readers that read one part, then work 1/RATE s (1, 4 and 15 fps, and one
 * at 30 fps) on a 30 fps stream of 12 KB frames, served by the real gateway. Per reader: the
 * median age of the frames it read in the second half of the window, and how many it read of
 * those it could have read — with the gateway's pacing, with today's policy (`--pacing off`),
 * and with today's policy plus `?fps=RATE`, side by side; on loopback (MTU 65536) and, as root,
 * in a network namespace whose loopback has MTU 1500 (`unshare -n`), where the receive window
 * autotunes differently. BENCH_SECONDS sets the window (default 60).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchSeconds, machineNote, printTable } from './lib/harness.js';
import {
  READER_RATES,
  type ReaderResult,
  SOURCE_FPS,
  type StalenessReport,
  VARIANTS,
  type Variant,
} from './lib/staleness-run.js';

const RUN = fileURLToPath(new URL('./lib/staleness-run.ts', import.meta.url));
const LABEL: Record<Variant, string> = {
  paced: 'pacing on',
  today: 'today (--pacing off)',
  'today-fps': 'today + ?fps=',
};

/** Targets: median age for the 1 / 4 / 15 fps readers, ≥ 75 % of what they could read; the 30 fps reader ≥ 95 % at ≤ 0.1 s. */
function target(rate: number): { age: number; share: number } {
  if (rate >= SOURCE_FPS) return { age: 0.1, share: 0.95 };
  return { age: rate <= 1 ? 3 : rate <= 4 ? 1 : 0.5, share: 0.75 };
}

function verdict(r: ReaderResult): boolean {
  const t = target(r.rate);
  return r.medianAge <= t.age && r.read / r.could >= t.share;
}

function runOn(mtu: number, seconds: number): Promise<StalenessReport> {
  const node = [process.execPath, '--import', 'tsx', RUN];
  const env = { ...process.env, BENCH_SECONDS: String(seconds), BENCH_MTU: String(mtu) };
  const [file, args] =
    mtu === 65536
      ? [node[0]!, node.slice(1)]
      : [
          'unshare',
          [
            '-n',
            '--',
            'sh',
            '-c',
            `ip link set lo up && ip link set lo mtu ${mtu} && exec "$@"`,
            'sh',
            ...node,
          ],
        ];
  return new Promise((resolve, reject) => {
    execFile(file, args, { env, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${file} failed: ${stderr.trim() || err.message}`));
        return;
      }
      resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as StalenessReport);
    });
  });
}

function show(report: StalenessReport): boolean {
  const load = VARIANTS.map((v) => `${LABEL[v]} ${report.load[v].toFixed(2)}`).join(', ');
  console.log(
    `\nloopback MTU ${report.mtu}, ${report.seconds} s per variant, measured over the second half (1-min load: ${load})`,
  );
  const cell = (r: ReaderResult): string =>
    `${r.medianAge.toFixed(3)} s, ${r.read}/${r.could} (${((100 * r.read) / r.could).toFixed(0)} %)`;
  const rows = READER_RATES.map((rate, i) => {
    const paced = report.results.paced[i]!;
    const t = target(rate);
    return [
      `${rate} fps reader`,
      cell(paced),
      `${verdict(paced) ? 'met' : 'MISSED'} (≤ ${t.age} s, ≥ ${t.share * 100} %)`,
      cell(report.results.today[i]!),
      cell(report.results['today-fps'][i]!),
    ];
  });
  printTable([['median age, read/could', LABEL.paced, 'target', LABEL.today, LABEL['today-fps']], ...rows]);
  return report.results.paced.every(verdict);
}

export default async function run(): Promise<void> {
  const seconds = benchSeconds(60);
  console.log(
    `staleness: readers at ${READER_RATES.join(', ')} fps (read one part, work 1/RATE s) on a ${SOURCE_FPS} fps stream of 12 KB frames`,
  );
  console.log(machineNote());
  const met: boolean[] = [];
  met.push(show(await runOn(65536, seconds)));
  if (process.getuid?.() === 0) {
    try {
      met.push(show(await runOn(1500, seconds)));
    } catch (err) {
      console.log(
        `\nMTU 1500 not measured: ${(err as Error).message} (needs unshare and ip from util-linux/iproute2)`,
      );
      met.push(false);
    }
  } else {
    console.log('\nMTU 1500 not measured: needs root for a network namespace (unshare -n)');
    met.push(false);
  }
  console.log(`\nall targets met: ${met.every(Boolean) ? 'yes' : 'NO'}`);
}
