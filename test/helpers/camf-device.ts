/**
 * The C firmware library as a device on a real pty: socat links a port a gateway opens
 * (`dev`) to `camf_tool device …` (firmware/camf compiled with gcc) sending `jpeg`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { camfTool } from '../firmware/c-build.js';
import { until } from './cli.js';

export interface CamfDevice {
  /** The port to open. */
  readonly dev: string;
  /** Stop the device (an unplug) and remove the link's folder. */
  close(): Promise<void>;
}

/** `camf_tool device <args> <jpeg>` behind a pty; resolves once the link exists. */
export async function camfDeviceOnPty(args: readonly string[], jpeg: string): Promise<CamfDevice> {
  const tool = await camfTool();
  const dir = mkdtempSync(join(tmpdir(), 'cam-camf-device-'));
  const dev = join(dir, 'dev');
  const socat: ChildProcess = spawn(
    'socat',
    [`pty,raw,echo=0,link=${dev}`, `EXEC:${tool} device ${args.join(' ')} ${jpeg}`],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  await until('the pty link', () => existsSync(dev));
  return {
    dev,
    async close() {
      if (socat.exitCode === null) {
        const exited = new Promise((r) => socat.once('exit', r));
        socat.kill();
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
