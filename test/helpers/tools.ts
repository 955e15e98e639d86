/**
 * The system tools the tests drive, the Debian packages that bring them, and one way for a test
 * file to say what it needs:
 *
 *   describeWithTools(['socat'], 'hot-plug', () => { beforeAll(…); it(…); … });
 *   itWithTools(['exiftool'], 'agrees with exiftool', () => { … });
 *
 * All tools on PATH: a plain `describe` / `it`. Some missing:
 * - with `CI=true` (or `1`): one failing test whose error says `socat is missing: apt-get install socat`,
 *   so CI, which installs everything, can never pass with a test quietly left out;
 * - otherwise the tests are skipped (their hooks do not run) and one test is skipped with a
 *   machine-readable note, `needs socat (Debian package socat) for 5 tests`, which the summary
 *   reporter (test/reporters/summary.ts) turns into the run's last line.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import {
  describe,
  it,
  type RunnerTestSuite as Suite,
  type RunnerTask as Task,
  type TestFunction,
  type TestOptions,
} from 'vitest';

/** Tool → the Debian/Ubuntu packages that bring it (`apt-get install …`). `.ci/run` installs all of them. */
export const TOOL_PACKAGES = {
  /** Pseudo-terminal pairs: test/helpers/pty.ts, control-pty. */
  socat: ['socat'],
  /** A real MJPEG client: test/integration/ffmpeg.test.ts. */
  ffmpeg: ['ffmpeg'],
  ffprobe: ['ffmpeg'],
  /** Headless browser for the viewer page (playwright-core launches /usr/bin/chromium). */
  chromium: ['chromium'],
  /** libjpeg-turbo's tools: scripts/make-jpeg-fixtures.sh (no test runs them). */
  cjpeg: ['libjpeg-turbo-progs'],
  djpeg: ['libjpeg-turbo-progs'],
  /** An independent reading of the fixtures' image sizes. */
  exiftool: ['libimage-exiftool-perl'],
  /** Host builds of the firmware's C library and camf_tool. */
  gcc: ['gcc'],
  /** The ESP32-CAM sketch's syntax check. */
  'g++': ['g++'],
  /** The AVR build: avr-gcc needs avr-libc's headers; avr-size is binutils-avr's. */
  'avr-gcc': ['gcc-avr', 'avr-libc'],
  'avr-size': ['binutils-avr'],
  /** firmware/Makefile (no test runs it). */
  make: ['make'],
  /** Dropping root for one CLI run (util-linux, on every Debian system). */
  setpriv: ['util-linux'],
  /** A CLI run under a low open-file limit (util-linux). */
  prlimit: ['util-linux'],
  /** Named pipes: a FIFO nobody writes (a start that hangs), a pty whose device end never reads, `--replay` of a FIFO (coreutils). */
  mkfifo: ['coreutils'],
  /** The NATS bus: a 3-node JetStream cluster on loopback (test/helpers/brokers.ts). */
  'nats-server': ['nats-server'],
  /** An MQTT broker for the Home Assistant discovery tests. */
  mosquitto: ['mosquitto'],
  /** A self-signed certificate made by the HTTPS tests. */
  openssl: ['openssl'],
  /** A real HTTPS and HTTP/2 client: test/integration/https.test.ts. */
  curl: ['curl'],
} as const satisfies Record<string, readonly string[]>;

export type Tool = keyof typeof TOOL_PACKAGES;

/** Tools the tests run by an absolute path, which must exist besides the command on PATH. */
const FIXED_PATHS: Partial<Record<Tool, string>> = { chromium: '/usr/bin/chromium' };

const found = new Map<Tool, boolean>();

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where `command` is found on `path` (an executable file in one of its absolute directories), as a shell would. */
export function findOnPath(command: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, command);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** True when `tool` is on `PATH` (and, for chromium, at the path the tests launch); looked up once per process. */
export function hasTool(tool: Tool): boolean {
  let present = found.get(tool);
  if (present === undefined) {
    const fixed = FIXED_PATHS[tool];
    present = findOnPath(tool) !== undefined && (!fixed || isExecutableFile(fixed));
    found.set(tool, present);
  }
  return present;
}

/** The tools of `tools` that are not there, in the given order. */
export function missingTools(tools: readonly Tool[]): Tool[] {
  return tools.filter((t) => !hasTool(t));
}

/** True when `CI` says this is a CI run, where a missing tool is a failure. */
export function isCI(): boolean {
  const ci = process.env.CI?.toLowerCase();
  return ci === 'true' || ci === '1';
}

/** The distinct packages that bring `tools`, in order. */
export function packagesFor(tools: readonly Tool[]): string[] {
  return [...new Set(tools.flatMap((t) => TOOL_PACKAGES[t]))];
}

/** `socat is missing: apt-get install socat; gcc is missing: apt-get install gcc`. */
export function missingMessage(missing: readonly Tool[]): string {
  return missing.map((t) => `${t} is missing: apt-get install ${TOOL_PACKAGES[t].join(' ')}`).join('; ');
}

const MISSING = /^(\S+) is missing: apt-get install (\S.*)$/;

/** The tools and packages a `missingMessage` names; empty for any other message. */
export function parseMissingMessage(message: string | undefined): { tool: string; packages: string[] }[] {
  if (!message) return [];
  const parts = message.split('; ').map((part) => MISSING.exec(part));
  if (parts.some((m) => !m)) return [];
  return parts.map((m) => ({ tool: m![1]!, packages: m![2]!.split(' ') }));
}

/** An Error for CI whose stack points at the test file line that declared the needs, not at this helper. */
function missingError(missing: readonly Tool[], declaredAt: Error): Error {
  const err = new Error(missingMessage(missing));
  const [, , ...frames] = (declaredAt.stack ?? '').split('\n'); // drop "Error" and the frame of describeWithTools/itWithTools
  err.stack = [`Error: ${err.message}`, ...frames].join('\n');
  return err;
}

/**
 * The skip note: `needs socat (Debian package socat)`, with ` for N tests` when it stands for a
 * skipped suite. `parseSkipNote` reads it back.
 */
export function skipNote(missing: readonly Tool[], tests?: number): string {
  const packages = packagesFor(missing);
  const note = `needs ${missing.join(', ')} (Debian package${packages.length > 1 ? 's' : ''} ${packages.join(', ')})`;
  return tests === undefined ? note : `${note} for ${tests} test${tests === 1 ? '' : 's'}`;
}

const NOTE = /^needs (\S.*?) \(Debian packages? (\S.*?)\)(?: for (\d+) tests?)?$/;

/** The tools, packages and number of tests a skip note stands for; undefined for any other note. */
export function parseSkipNote(
  note: string | undefined,
): { tools: string[]; packages: string[]; tests: number } | undefined {
  const m = note ? NOTE.exec(note) : null;
  if (!m) return undefined;
  return {
    tools: m[1]!.split(', '),
    packages: m[2]!.split(', '),
    tests: m[3] === undefined ? 1 : Number(m[3]),
  };
}

function countTests(task: Task | undefined): number {
  if (!task) return 0;
  if (task.type !== 'suite') return 1;
  return task.tasks.reduce((n, t) => n + countTests(t), 0);
}

/**
 * `describe(title, fn)` when every tool in `tools` is on PATH. Otherwise the suite is collected
 * skipped (its hooks never run, so a `beforeAll` that spawns a tool is safe) and, next to it,
 * one test `<title> (needs …)` fails on CI or is skipped with the note that counts the suite's tests.
 */
export function describeWithTools(tools: readonly Tool[], title: string, fn: () => void): void {
  const missing = missingTools(tools);
  if (missing.length === 0) {
    describe(title, fn);
    return;
  }
  const declaredAt = new Error();
  const skipped: Suite | undefined = describe.skip(title, fn).suite;
  it(`${title} (needs ${missing.join(', ')})`, (ctx) => {
    if (isCI()) throw missingError(missing, declaredAt);
    ctx.skip(skipNote(missing, countTests(skipped)));
  });
}

/**
 * `it(title, fn)` when every tool in `tools` is on PATH; otherwise the test fails on CI with
 * `<tool> is missing: apt-get install <package>` or is skipped with the note `needs …`.
 */
export function itWithTools(
  tools: readonly Tool[],
  title: string,
  fn: TestFunction,
  options: number | TestOptions = {},
): void {
  const opts = typeof options === 'number' ? { timeout: options } : options;
  const missing = missingTools(tools);
  if (missing.length === 0) {
    it(title, opts, fn);
    return;
  }
  const declaredAt = new Error();
  it(title, opts, (ctx) => {
    if (isCI()) throw missingError(missing, declaredAt);
    ctx.skip(skipNote(missing));
  });
}
