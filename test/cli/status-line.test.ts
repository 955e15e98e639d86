import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CameraStatus } from '../../src/camera/status.js';
import { formatStatus, StatusLine } from '../../src/status-line.js';

function status(overrides: Partial<CameraStatus>): CameraStatus {
  return {
    name: 'cam0',
    port: '/dev/ttyUSB0',
    protocol: 'auto',
    detectedProtocol: 'camf',
    protocolSwitches: 0,
    sensor: null,
    online: true,
    lastError: null,
    fps: { received: 12.34, served: 12 },
    kBps: 181.6,
    frames: 1234,
    bytes: 1_000_000,
    bytesSkipped: 0,
    crcErrors: 2,
    resyncs: 0,
    truncated: 0,
    oversized: 0,
    deviceDrops: 0,
    deviceRestarts: 0,
    clients: [{ id: 1, kind: 'stream', since: 0, frames: 1, bytes: 1, fps: 1 }],
    lastFrame: null,
    info: null,
    logs: [],
    controls: [],
    idle: null,
    ...overrides,
  };
}

describe('status line', () => {
  it('shows online state, fps, kB/s, frames, CRC errors and viewers per camera', () => {
    expect(
      formatStatus([
        status({}),
        status({ name: 'door', online: false, clients: [], idle: { stopAfterSeconds: 60, stopped: true } }),
      ]),
    ).toBe(
      'cam0 online 12.3 fps 182 kB/s 1234 frames 2 crc 1 client | ' +
        'door OFFLINE idle 12.3 fps 182 kB/s 1234 frames 2 crc 0 clients',
    );
  });

  it('redraws in place (\\r + erase line), fits the terminal width and erases itself on stop', () => {
    const out = new PassThrough();
    let written = '';
    out.setEncoding('utf8').on('data', (s: string) => {
      written += s;
    });
    const tty = Object.assign(out, { columns: 40, isTTY: true }) as unknown as NodeJS.WriteStream;
    const line = new StatusLine({ out: tty, read: () => [status({}), status({ name: 'cam1' })] });
    line.draw();
    const drawn = written;
    expect(drawn.startsWith('\r\x1b[2K')).toBe(true);
    const text = drawn.slice('\r\x1b[2K'.length);
    expect(text.length).toBeLessThanOrEqual(39);
    expect(text.endsWith('…')).toBe(true);
    expect(text).not.toContain('\n');
    line.stop();
    expect(written.endsWith('\r\x1b[2K')).toBe(true);
  });
});
