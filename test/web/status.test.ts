import { describe, expect, it } from 'vitest';
import { intControl, withValue } from '../../src/control/schema.js';
import { parseGatewayStatus } from '../../src/web/status.js';
import { FakeCamera } from '../helpers/fake-camera.js';

describe('parseGatewayStatus', () => {
  it('reads what the page shows from a real /status answer', () => {
    const camera = new FakeCamera('desk', { controls: [intControl('quality', 'JPEG quality', 4, 63)] });
    camera.info = { model: 'ESP32-CAM', quality: 12 };
    camera.logs = ['boot ok'];
    const body = JSON.parse(
      JSON.stringify({ name: 'cam-gateway', version: '1.2.3', uptime: 61.5, cameras: [camera.status()] }),
    ) as unknown;
    const status = parseGatewayStatus(body);
    expect(status.version).toBe('1.2.3');
    expect(status.uptime).toBe(61.5);
    expect(status.cameras).toHaveLength(1);
    expect(status.cameras[0]).toMatchObject({
      name: 'desk',
      port: 'fake',
      protocol: 'auto',
      detectedProtocol: 'camf',
      online: true,
      lastError: undefined,
      frames: 0,
      clients: 0,
      info: { model: 'ESP32-CAM', quality: 12 },
      logs: ['boot ok'],
      controls: [withValue(intControl('quality', 'JPEG quality', 4, 63).spec, 12)],
      idle: undefined,
    });
  });

  it('takes a one-camera answer as a list of one, and skips cameras without a name', () => {
    expect(parseGatewayStatus({ name: 'desk', online: true }).cameras.map((c) => c.name)).toEqual(['desk']);
    expect(
      parseGatewayStatus({ cameras: [{ online: true }, { name: 'b' }] }).cameras.map((c) => c.name),
    ).toEqual(['b']);
  });

  it('reads fields of the wrong type as unknown instead of failing', () => {
    const [cam] = parseGatewayStatus({
      cameras: [
        {
          name: 'x',
          online: 'yes',
          frames: '12',
          fps: null,
          logs: ['a', 3],
          controls: 'quality',
          idle: { stopped: true },
        },
      ],
    }).cameras;
    expect(cam).toMatchObject({
      online: false,
      frames: undefined,
      fpsReceived: undefined,
      logs: ['a'],
      controls: [],
    });
    expect(cam!.idle).toBeUndefined();
    expect(parseGatewayStatus(null)).toEqual({ version: undefined, uptime: undefined, cameras: [] });
  });
});
