import { describe, expect, it } from 'vitest';
import type { CameraHandle } from '../../src/camera/handle.js';
import { createApp } from '../../src/http/app.js';
import { FakeCamera, fixtureFrames } from '../helpers/fake-camera.js';

describe('an app over a camera directory (a relay’s cameras come and go)', () => {
  it('serves whatever the directory lists at request time; before any camera, 503 and an empty status', async () => {
    const list: CameraHandle[] = [];
    const { app } = createApp({ cameras: { list: () => list }, version: 't' });
    const early = await app.request('/snapshot');
    expect(early.status).toBe(503);
    expect(await early.json()).toEqual({ error: 'no camera yet', cameras: [] });
    expect(((await (await app.request('/status')).json()) as { cameras: unknown[] }).cameras).toEqual([]);

    const door = new FakeCamera('door');
    door.push(fixtureFrames()[0]!);
    list.push(door);
    expect((await app.request('/cams/door/snapshot')).status).toBe(200);
    expect((await app.request('/snapshot')).status).toBe(200);
    const unknown = await app.request('/cams/yard/status');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ cameras: ['door'] });
  });
});
