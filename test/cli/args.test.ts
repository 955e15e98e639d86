import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type CliIo, HELP, main, parseCli } from '../../src/cli.js';
import { DEFAULTS, OPTIONS } from '../../src/options.js';
import type { PortInfo } from '../../src/source/discover.js';

/** Run `main()` in-process with captured output; the stop signal never fires. */
async function run(argv: string[], options: { env?: NodeJS.ProcessEnv; ports?: PortInfo[] } = {}) {
  let stdout = '';
  let stderr = '';
  const out = new PassThrough().setEncoding('utf8');
  const err = new PassThrough().setEncoding('utf8');
  out.on('data', (s: string) => {
    stdout += s;
  });
  err.on('data', (s: string) => {
    stderr += s;
  });
  const io: CliIo = {
    stdout: out as unknown as NodeJS.WriteStream,
    stderr: err as unknown as NodeJS.WriteStream,
    env: options.env ?? {},
    stopSignal: () => new Promise(() => {}),
    listPorts: async () => options.ports ?? [],
  };
  const code = await main(argv, io);
  await new Promise((r) => setImmediate(r));
  return { code, stdout, stderr };
}

describe('cam-gateway flags', () => {
  it('--help is generated from the option table: every flag, with its default, ≤ 80 columns', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout.trimEnd()).toBe(HELP);
    for (const line of stdout.trimEnd().split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    for (const [flag, spec] of Object.entries(OPTIONS)) {
      expect(HELP).toContain(`--${flag}`);
      if ('shown' in spec) expect(HELP).toContain(`default ${spec.shown}`);
    }
    expect(HELP).toContain(`default ${DEFAULTS.baudRate}`);
    expect(HELP).toContain(`default ${DEFAULTS.maxFrameBytes}`);
  });

  it('README documents every flag of the table, and no other', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(
      readme.indexOf('| Flag |'),
      readme.indexOf('\n\n', readme.indexOf('| Flag |')),
    );
    const documented = [...table.matchAll(/^\| `--([a-z-]+)/gm)].map((m) => m[1]);
    const more = [...table.matchAll(/, `--([a-z-]+)/g)].map((m) => m[1]);
    expect(new Set([...documented, ...more])).toEqual(new Set(Object.keys(OPTIONS)));
  });

  it('--version prints the package version', async () => {
    const { code, stdout } = await run(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('--list prints one line per port with its board', async () => {
    const { code, stdout } = await run(['--list'], {
      ports: [{ path: '/dev/ttyUSB0', vendorId: '10c4', productId: 'ea60', board: 'CP210x bridge' }],
    });
    expect(code).toBe(0);
    expect(stdout).toContain('/dev/ttyUSB0 10c4:ea60');
    expect(stdout).toContain('likely CP210x bridge');
  });

  const bad: [string[], RegExp][] = [
    [['--baud', 'fast'], /^cam-gateway: --baud must be a whole number ≥ 50, got "fast"$/],
    [['--baud', '-5'], /--baud/],
    [['--baud'], /^cam-gateway: --baud needs a value/],
    [['--protocol', 'mpeg'], /^cam-gateway: --protocol must be one of auto \| camf \| jpeg \| arducam/],
    [['--listen', 'localhost'], /^cam-gateway: --listen must be \[HOST:\]PORT/],
    [['--listen', '127.0.0.1:99999'], /^cam-gateway: --listen port must be 0-65535/],
    [['--max-frame-bytes', '12'], /^cam-gateway: --max-frame-bytes must be a whole number ≥ 1024/],
    [['--ring', '0'], /^cam-gateway: --ring must be a whole number ≥ 1/],
    [['--ring', '2.5'], /--ring/],
    [['--auth', 'nopassword'], /^cam-gateway: --auth must be USER:PASS/],
    [['--auth', ':x'], /--auth must be USER:PASS/],
    [['--dtr', 'maybe'], /^cam-gateway: --dtr must be on or off, got "maybe"$/],
    [['--rts', 'yes please'], /^cam-gateway: --rts must be on or off/],
    [['--idle-stop', '0'], /^cam-gateway: --idle-stop must be a number of seconds > 0/],
    [['--idle-stop', 'soon'], /--idle-stop/],
    [['--log-level', 'loud'], /^cam-gateway: --log-level must be one of error \| warn \| info \| debug/],
    [['--port', 'bad name=/dev/ttyUSB0'], /^cam-gateway: --port must be \[NAME=\]PATH/],
    [['--port', ''], /--port needs a device path/],
    [['--record', 'x.bin', '--demo'], /^cam-gateway: --record needs exactly one serial port/],
    [['--record', 'x.bin', '--port', '/dev/a', '--port', '/dev/b'], /--record needs exactly one serial port/],
    [['--frobnicate'], /^cam-gateway: unknown option --frobnicate \(see cam-gateway --help\)$/],
    [['--demo=yes'], /^cam-gateway: --demo takes no value/],
    [['stray'], /^cam-gateway: unexpected argument stray/],
    [['--port', 'a=/dev/x', '--port', 'a=/dev/y'], /^cam-gateway: camera name "a" is used twice$/],
    [
      ['--allow-host', 'http://cam.example.com'],
      /^cam-gateway: --allow-host must be a host name like cam\.example\.com \(no scheme or port\)/,
    ],
    [['--allow-host', 'cam.example.com:8080'], /--allow-host must be a host name/],
    [['--allow-host', ''], /--allow-host must be a host name/],
    [['--max-clients', '0'], /^cam-gateway: --max-clients must be a whole number ≥ 1, got 0$/],
    [['--max-clients', 'many'], /--max-clients must be a whole number/],
    [
      ['--publish', 'http://bus:4222', '--demo'],
      /^cam-gateway: --publish must be nats:\/\/\[USER:PASS@\]HOST/,
    ],
    [
      ['--publish', 'nats://me:s3cret@bus:99999', '--demo'],
      /^cam-gateway: --publish must be nats:\/\/.*got "nats:\/\/\*\*\*@bus:99999"$/,
    ],
    [['--from', 'nats://bus', '--demo'], /^cam-gateway: --from relays the bus and takes no --demo$/],
    [
      ['--from', 'nats://bus', '--port', '/dev/ttyUSB0'],
      /^cam-gateway: --from relays the bus and takes no --port$/,
    ],
    [
      ['--site', 'a.b', '--demo'],
      /^cam-gateway: --site must be 1-32 letters, digits, "-" or "_", got "a.b"$/,
    ],
    [['--publish-keep', '0', '--demo'], /^cam-gateway: --publish-keep must be N frames or Ns seconds/],
    [['--publish-keep', '10m', '--demo'], /--publish-keep must be N frames or Ns seconds/],
    [['--publish-keep', '10', '--demo'], /^cam-gateway: --publish-keep goes with --publish$/],
    [['--mqtt-fps', '2', '--demo'], /^cam-gateway: --mqtt-fps goes with --mqtt$/],
    [
      ['--mqtt', 'tcp://broker', '--demo'],
      /^cam-gateway: --mqtt must be mqtt:\/\/\[USER:PASS@\]HOST\[:PORT\]/,
    ],
    [
      ['--mqtt-fps', '0', '--demo'],
      /^cam-gateway: --mqtt-fps must be a number of frames per second from 0.01 to 30/,
    ],
    [['--stdout', 'bad name', '--demo'], /^cam-gateway: camera name "bad name" must be/],
    [['--demo', '--stdout', 'door'], /^cam-gateway: --stdout: no camera "door"; cameras: cam0$/],
    [['--demo', '--keep', '50GB'], /^cam-gateway: --keep needs --save DIR$/],
    [['--demo', '--timelapse', '10'], /^cam-gateway: --timelapse needs --save DIR$/],
    [
      ['--demo', '--save', 'rec', '--keep', 'forever'],
      /^cam-gateway: --keep must be a size, an age or one of each/,
    ],
    [
      ['--demo', '--save', 'rec', '--min-free', '200%'],
      /^cam-gateway: --min-free share must be from 0 to 100 %/,
    ],
    [
      ['--demo', '--save', 'rec', '--segment', '0'],
      /^cam-gateway: --segment must be a number of seconds > 0/,
    ],
    [['--demo', '--save', ''], /^cam-gateway: --save needs a folder$/],
    [['--demo', '--preroll', 'lots'], /^cam-gateway: --preroll must be a number of seconds > 0, got "lots"$/],
    [['--demo', '--tls-cert', 'cert.pem'], /^cam-gateway: --tls-cert needs --tls-key FILE$/],
    [['--demo', '--tls-key', 'key.pem'], /^cam-gateway: --tls-key needs --tls-cert FILE$/],
  ];
  for (const [argv, message] of bad) {
    it(`rejects ${argv.join(' ')} with exit 2 and one line naming the problem`, async () => {
      const { code, stderr, stdout } = await run(argv);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(stderr.trimEnd()).toMatch(message);
    });
  }

  it('--stdout takes an optional camera name: --stdout, --stdout NAME, --stdout=NAME; HTTP then on a free port', () => {
    const forms: [string[], string][] = [
      [['--demo', '--stdout'], ''],
      [['--stdout', '--demo'], ''],
      [['--stdout', 'cam0', '--demo'], 'cam0'],
      [['--demo', '--stdout=cam0'], 'cam0'],
    ];
    for (const [argv, name] of forms) {
      const cmd = parseCli(argv, {});
      if (cmd.kind !== 'run') throw new Error('expected run');
      expect(cmd.stdout, argv.join(' ')).toBe(name);
      expect(cmd.gateway.port).toBe(0);
    }
    const listen = parseCli(['--demo', '--stdout', '--listen', '9000'], {});
    expect(listen.kind === 'run' && listen.gateway.port).toBe(9000);
  });

  it('--stdout on a terminal: exit 2, no JPEG bytes on the screen', async () => {
    let written = 0;
    const tty = Object.assign(new PassThrough(), { isTTY: true });
    tty.on('data', (c: Buffer) => {
      written += c.length;
    });
    const err = new PassThrough().setEncoding('utf8');
    let stderr = '';
    err.on('data', (s: string) => {
      stderr += s;
    });
    const code = await main(['--demo', '--stdout'], {
      stdout: tty as unknown as NodeJS.WriteStream,
      stderr: err as unknown as NodeJS.WriteStream,
      env: {},
      stopSignal: () => new Promise(() => {}),
      listPorts: async () => [],
    });
    expect(code).toBe(2);
    expect(written).toBe(0);
    expect(stderr).toMatch(/^cam-gateway: --stdout writes binary JPEGs: pipe it into a program/);
  });

  it('--from makes a relay; credentials come from the URL or CAM_GATEWAY_NATS_AUTH', () => {
    const relay = parseCli(['--from', 'nats://a:4222,b', '--site', 'lab', '--listen', '0.0.0.0:9000'], {
      CAM_GATEWAY_NATS_AUTH: 'me:s3cret',
      CAM_GATEWAY_AUTH: 'u:p',
    });
    if (relay.kind !== 'relay') throw new Error('expected relay');
    expect(relay.relay).toMatchObject({
      address: { servers: ['a:4222', 'b:4222'], user: 'me', pass: 's3cret' },
      site: 'lab',
      host: '0.0.0.0',
      port: 9000,
      auth: { username: 'u', password: 'p' },
    });
    const token = parseCli(['--from', 'nats://t0k3n@bus:4333'], {});
    expect(token.kind === 'relay' && token.relay.address).toEqual({ servers: ['bus:4333'], token: 't0k3n' });
  });

  it('--publish and --mqtt reach the gateway options with the site, keep and fps', () => {
    const cmd = parseCli(
      [
        '--demo',
        '--publish',
        'nats://bus',
        '--publish-keep',
        '10s',
        '--mqtt',
        'mqtt://ha:1883',
        '--mqtt-fps',
        '0.5',
      ],
      { CAM_GATEWAY_MQTT_AUTH: 'ha:pw' },
    );
    if (cmd.kind !== 'run') throw new Error('expected run');
    expect(cmd.gateway).toMatchObject({
      site: 'default',
      publish: { url: 'nats://bus', keep: { seconds: 10 } },
      mqtt: { url: 'mqtt://ha:1883', fps: 0.5, credentials: 'ha:pw' },
    });
  });

  it('never prints bus credentials: a refused or unreachable bus is named without them', async () => {
    const { code, stderr } = await run(['--from', 'nats://me:s3cret@127.0.0.1:1', '--listen', '0']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^cam-gateway: cannot reach NATS at nats:\/\/127\.0\.0\.1:1 \(user auth\)/);
    expect(stderr).not.toMatch(/s3cret/);
  });

  it('rejects a bad CAM_GATEWAY_AUTH naming the variable', async () => {
    const { code, stderr } = await run(['--demo'], { env: { CAM_GATEWAY_AUTH: 'justuser' } });
    expect(code).toBe(2);
    expect(stderr).toMatch(/CAM_GATEWAY_AUTH must be USER:PASS/);
  });

  it('builds one camera per --port (named or cam0, cam1 …) with the shared flags', () => {
    const cmd = parseCli(
      ['--port', '/dev/ttyUSB0', '--port', 'door=/dev/ttyACM0', '--baud', '115200', '--protocol', 'camf'],
      {},
    );
    expect(cmd.kind).toBe('run');
    if (cmd.kind !== 'run') return;
    expect(cmd.gateway.cameras).toEqual([
      expect.objectContaining({
        port: '/dev/ttyUSB0',
        baudRate: 115200,
        protocol: 'camf',
        dtr: false,
        rts: false,
      }),
      expect.objectContaining({ name: 'door', port: '/dev/ttyACM0', baudRate: 115200 }),
    ]);
    expect(cmd.gateway.host).toBe('127.0.0.1');
    expect(cmd.gateway.port).toBe(8080);
  });

  it('builds the recording, pre-roll and HTTPS options from their flags', () => {
    const cmd = parseCli(
      [
        '--demo',
        '--save',
        'rec',
        '--segment',
        '60',
        '--keep',
        '50GB,14d',
        '--min-free',
        '10%',
        '--timelapse',
        '5',
        '--preroll',
        '0',
        '--tls-cert',
        'c.pem',
        '--tls-key',
        'k.pem',
      ],
      {},
    );
    if (cmd.kind !== 'run') throw new Error('expected run');
    expect(cmd.gateway.recording).toEqual({
      dir: 'rec',
      segmentSeconds: 60,
      keep: { bytes: 50e9, seconds: 14 * 86_400 },
      minFree: { percent: 10 },
      timelapseSeconds: 5,
    });
    expect(cmd.gateway.prerollSeconds).toBe(0);
    expect(cmd.gateway.tls).toEqual({ cert: 'c.pem', key: 'k.pem' });
    const plain = parseCli(['--demo'], {});
    if (plain.kind !== 'run') throw new Error('expected run');
    expect(plain.gateway.recording).toBeUndefined();
    expect(plain.gateway.tls).toBeUndefined();
  });

  it('takes the secret from CAM_GATEWAY_AUTH and --listen HOST:PORT', () => {
    const cmd = parseCli(['--demo', '--listen', '0.0.0.0:9000'], { CAM_GATEWAY_AUTH: 'me:s3cret:x' });
    if (cmd.kind !== 'run') throw new Error('expected run');
    expect(cmd.gateway.auth).toEqual({ username: 'me', password: 's3cret:x' });
    expect(cmd.gateway.host).toBe('0.0.0.0');
    expect(cmd.gateway.port).toBe(9000);
  });

  it('--allow-host (repeatable, names and addresses, * for any) and --max-clients reach the gateway options', () => {
    const cmd = parseCli(
      [
        '--demo',
        '--allow-host',
        'Cam.Example.com',
        '--allow-host',
        '[fd00::2]',
        '--allow-host',
        '*',
        '--max-clients',
        '50',
      ],
      {},
    );
    if (cmd.kind !== 'run') throw new Error('expected run');
    expect(cmd.gateway.allowHosts).toEqual(['cam.example.com', 'fd00::2', '*']);
    expect(cmd.gateway.maxClients).toBe(50);
    const plain = parseCli(['--demo'], {});
    if (plain.kind !== 'run') throw new Error('expected run');
    expect(plain.gateway.allowHosts).toBeUndefined();
    expect(plain.gateway.maxClients).toBeUndefined();
  });

  it('--listen 0:PORT means every interface, like 0.0.0.0', () => {
    const cmd = parseCli(['--demo', '--listen', '0:8081'], {});
    if (cmd.kind !== 'run') throw new Error('expected run');
    expect(cmd.gateway.host).toBe('0.0.0.0');
    expect(cmd.gateway.port).toBe(8081);
  });

  it('without a source, refuses to guess among zero or several camera-like ports (exit 2, prints the list)', async () => {
    const none = await run([], { ports: [{ path: '/dev/ttyS4' }] });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /no camera-like USB serial port found; choose one with --port PATH, or try --demo/,
    );
    expect(none.stderr).toContain('/dev/ttyS4');
    const two = await run([], {
      ports: [
        { path: '/dev/ttyUSB0', board: 'CP210x' },
        { path: '/dev/ttyUSB1', board: 'CH340' },
      ],
    });
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/several camera-like ports found/);
    expect(two.stderr).toContain('/dev/ttyUSB1');
  });
});
