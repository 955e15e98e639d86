/** `main()` in-process: start-up line, warnings, automatic port choice, clean stop. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type CliIo, main } from '../../src/cli.js';
import type { PortInfo } from '../../src/source/discover.js';
import { until } from '../helpers/cli.js';

function harness(ports: PortInfo[] = []) {
  const out = { stdout: '', stderr: '' };
  const stdout = new PassThrough().setEncoding('utf8');
  const stderr = new PassThrough().setEncoding('utf8');
  stdout.on('data', (s: string) => {
    out.stdout += s;
  });
  stderr.on('data', (s: string) => {
    out.stderr += s;
  });
  let stop: (signal: string) => void = () => {};
  const io: CliIo = {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    env: {},
    stopSignal: () =>
      new Promise<string>((resolve) => {
        stop = resolve;
      }),
    listPorts: async () => ports,
  };
  return { io, out, stop: (signal = 'SIGINT') => stop(signal) };
}

describe('main()', () => {
  it('prints one start-up line with the URL, warns about an open address without auth, stops with 0', async () => {
    const h = harness();
    const running = main(['--demo', '--listen', '0.0.0.0:0'], h.io);
    await until('the start-up line', () => /open http:\/\/127\.0\.0\.1:\d+\//.test(h.out.stderr), 10_000);
    expect(h.out.stderr).toMatch(/^cam-gateway \d+\.\d+\.\d+: cam0 on demo \(protocol auto\); open http:/m);
    expect(h.out.stderr).toMatch(/^warn: listening on 0\.0\.0\.0 without --auth: .*set --auth USER:PASS$/m);
    expect(h.out.stderr).not.toContain('\r'); // not a TTY: plain lines, no status line
    const t0 = performance.now();
    h.stop('SIGTERM');
    expect(await running).toBe(0);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('--quiet prints nothing on a normal start; auth on a LAN address gives no warning', async () => {
    const h = harness();
    const running = main(['--demo', '--listen', '0.0.0.0:0', '--auth', 'me:pw', '--quiet'], h.io);
    const h2 = harness();
    const loud = main(['--demo', '--listen', '0.0.0.0:0', '--auth', 'me:pw'], h2.io);
    await until('the second start-up line', () => /open http/.test(h2.out.stderr), 10_000);
    expect(h2.out.stderr).toContain('(basic auth on)');
    expect(h2.out.stderr).not.toMatch(/without --auth/);
    h.stop();
    h2.stop();
    expect(await running).toBe(0);
    expect(await loud).toBe(0);
    expect(h.out.stderr).toBe('');
  });

  it('with no --port, uses the one camera-like port present and says so', async () => {
    const h = harness([
      { path: '/dev/ttyS0' },
      {
        path: '/dev/ttyCAM-missing',
        vendorId: '10c4',
        productId: 'ea60',
        board: 'CP210x bridge: ESP32-CAM-MB',
      },
    ]);
    const code = await main(['--listen', '127.0.0.1:0'], h.io);
    expect(h.out.stderr).toMatch(
      /^using \/dev\/ttyCAM-missing \(CP210x bridge: ESP32-CAM-MB\); pass --port/m,
    );
    // It then opens it like any --port (here it is gone again: exit 1, one line, and the list).
    expect(h.out.stderr).toMatch(/^cam-gateway: no such port \/dev\/ttyCAM-missing$/m);
    expect(code).toBe(1);
  });
});
