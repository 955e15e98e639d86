/** `main()` in-process: start-up line, warnings, automatic port choice, clean stop. */
import { networkInterfaces } from 'node:os';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type CliIo, main } from '../../src/cli.js';
import type { PortInfo } from '../../src/source/discover.js';
import { until } from '../helpers/cli.js';

function harness(ports: PortInfo[] = [], env: NodeJS.ProcessEnv = {}) {
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
    env,
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

  it('--auth on the command line: one warning that ps shows it, pointing to CAM_GATEWAY_AUTH; none from the env', async () => {
    const h = harness();
    const running = main(['--demo', '--listen', '127.0.0.1:0', '--auth', 'me:secret'], h.io);
    const h2 = harness([], { CAM_GATEWAY_AUTH: 'me:secret' });
    const fromEnv = main(['--demo', '--listen', '127.0.0.1:0'], h2.io);
    await until(
      'both start-up lines',
      () => /open http/.test(h.out.stderr) && /open http/.test(h2.out.stderr),
      10_000,
    );
    h.stop();
    h2.stop();
    expect(await running).toBe(0);
    expect(await fromEnv).toBe(0);
    const warnings = h.out.stderr.split('\n').filter((l) => l.includes('CAM_GATEWAY_AUTH'));
    expect(warnings).toEqual([
      'warn: --auth puts the password where every user of this machine can read it (ps, /proc/PID/cmdline); set CAM_GATEWAY_AUTH=USER:PASS in the environment instead',
    ]);
    expect(h.out.stderr).not.toContain('secret');
    expect(h2.out.stderr).not.toContain('CAM_GATEWAY_AUTH');
    expect(h2.out.stderr).toContain('(basic auth on)');
  });

  it.each([
    ['0:0', '127.0.0.1', false],
    ['0.0.0.0:0', '127.0.0.1', false],
    ['[::]:0', '[::1]', true],
  ])(
    '--listen %s prints URLs a person can open: this machine, then its network addresses',
    async (listen, local, v6) => {
      const h = harness();
      const running = main(['--demo', '--listen', listen, '--auth', 'me:pw'], h.io);
      const m = await until(
        'the start-up line',
        () => /open (http:\/\/\S+:(\d+)\/)/.exec(h.out.stderr),
        10_000,
      );
      const [, url, port] = m!;
      expect(url).toBe(`http://${local}:${port}/`);
      expect(h.out.stderr).not.toMatch(/http:\/\/(0|0\.0\.0\.0|\[::\]):/);
      const expected = Object.values(networkInterfaces())
        .flat()
        .filter((i) => i && !i.internal && (i.family === 'IPv4' || (v6 && !/^fe[89ab]/i.test(i.address))))
        .map((i) => `http://${i!.family === 'IPv6' ? `[${i!.address}]` : i!.address}:${port}/`);
      if (expected.length > 0) expect(h.out.stderr).toContain(`; on the network: ${expected.join(', ')}`);
      else expect(h.out.stderr).not.toContain('on the network');
      // Each printed URL opens the gateway.
      for (const u of [url!, ...expected]) {
        const res = await fetch(`${u}status`, { headers: { Authorization: `Basic ${btoa('me:pw')}` } });
        expect(res.status, u).toBe(200);
      }
      h.stop();
      expect(await running).toBe(0);
    },
  );
});
