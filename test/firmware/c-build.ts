/**
 * Test helper: compile the firmware C sources with the host or AVR compiler into a fresh
 * temporary directory and run the results. Nothing is cached on disk between runs. Tests that
 * use it say so with `describeWithTools(['gcc'], …)` (test/helpers/tools.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIRMWARE_DIR = join(REPO_DIR, 'firmware');
export const WARNINGS = ['-Wall', '-Wextra', '-Werror', '-pedantic'];

export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Run a program to completion, optionally feeding `input` on stdin. */
export function run(cmd: string, args: readonly string[], input?: Uint8Array): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      cmd,
      args,
      { cwd: FIRMWARE_DIR, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err && typeof err.code === 'number' ? err.code : err ? null : 0;
        if (err && code === null) {
          reject(err);
          return;
        }
        resolvePromise({ code, stdout, stderr: stderr.toString('utf8') });
      },
    );
    child.stdin?.end(input ? Buffer.from(input) : undefined);
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

let tool: Promise<string> | undefined;

/** Build `camf_tool` (host gcc, -std=c99 -Werror -pedantic) once per test file; resolves to its path. */
export function camfTool(): Promise<string> {
  tool ??= (async () => {
    const out = join(tempDir('camf-tool'), 'camf_tool');
    const r = await run('gcc', [
      '-std=c99',
      '-O2',
      ...WARNINGS,
      '-o',
      out,
      'test/camf_tool.c',
      'camf/camf.c',
    ]);
    if (r.code !== 0) throw new Error(`building camf_tool failed:\n${r.stderr}`);
    return out;
  })();
  return tool;
}
