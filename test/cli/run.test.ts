/** The CLI as a process: what a user sees for --help/--version/--list and for ports that cannot be used. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../helpers/cli.js';
import { openPty, type Pty } from '../helpers/pty.js';
import { describeWithTools } from '../helpers/tools.js';

describe('cam-gateway as a process', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cam-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--help (through npx, as a user types it) and --version exit 0', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^cam-gateway \d+\.\d+\.\d+: serial\/USB camera/);
    const version = await runCli(['--version'], {}, 'node');
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('--list works without udevadm (exit 0, one line per port or a hint)', async () => {
    const list = await runCli(['--list'], {}, 'node');
    expect(list.code).toBe(0);
    expect(list.stdout.trim().length).toBeGreaterThan(0);
    expect(list.stdout).toMatch(/\/dev\/tty|no serial ports found/);
    expect(list.stderr).not.toMatch(/udevadm|Error/);
  });

  it('a port that does not exist: exit 1, the path, and the ports that do exist', async () => {
    const { code, stderr } = await runCli(['--port', '/dev/ttyUSB9-nope'], {}, 'node');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^cam-gateway: no such port \/dev\/ttyUSB9-nope\nserial ports present:\n/);
  });

  it('--record to a path that cannot be opened: exit 1 at start with one line, before the port is tried', async () => {
    const record = join(dir, 'no-such-dir', 'capture.bin');
    const { code, stderr } = await runCli(['--port', '/dev/ttyUSB9-nope', '--record', record], {}, 'node');
    expect(code).toBe(1);
    expect(stderr).toBe(`cam-gateway: cannot record to ${record}: no such directory\n`);
  });

  it('a directory or a regular file as the port: exit 1 "is not a serial port"', async () => {
    const asDir = await runCli(['--port', dir], {}, 'node');
    expect(asDir.code).toBe(1);
    expect(asDir.stderr).toMatch(new RegExp(`^cam-gateway: ${dir} is not a serial port`));
    const asFile = await runCli(['--port', join(REPO_ROOT, 'package.json')], {}, 'node');
    expect(asFile.code).toBe(1);
    expect(asFile.stderr).toMatch(/is not a serial port/);
  });

  it('an address already in use: exit 1 with a one-line hint', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      const { code, stderr } = await runCli(['--demo', '--listen', `127.0.0.1:${port}`], {}, 'node');
      expect(code).toBe(1);
      expect(stderr.trim()).toBe(
        `cam-gateway: 127.0.0.1:${port} is already in use (another cam-gateway?); stop it or pick another port with --listen HOST:PORT`,
      );
    } finally {
      server.close();
    }
  });
});

describeWithTools(['socat', 'setpriv'], 'permission denied', () => {
  let pty: Pty;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cam-perm-'));
    pty = await openPty(dir);
  });
  afterAll(async () => {
    await pty.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Tests run as root, who may open anything: drop to `nobody` with setpriv for this one run
  // (npx would need a writable npm cache, so the bin is run with node directly).
  it.skipIf(process.getuid?.() !== 0)(
    'explains the dialout group when the port may not be opened',
    async () => {
      const child = spawn(
        'setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          process.execPath,
          join(REPO_ROOT, 'bin', 'cam-gateway.js'),
          '--port',
          pty.dev,
        ],
        { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (s: string) => {
        stderr += s;
      });
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      expect(stderr.trim()).toBe(
        `cam-gateway: permission denied on ${pty.dev}: add yourself to the dialout group (sudo usermod -aG dialout $USER, then log in again)`,
      );
      expect(code).toBe(1);
    },
  );
});
