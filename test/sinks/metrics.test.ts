/**
 * `/metrics` of a real gateway (a CAMF camera fed by hand, recording on),
 * scraped over HTTP and read by a real Prometheus text-format parser: the
 * families and their types, and counters that grow with the frames.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { CamfEncoder } from '../../src/protocol/camf/frame.js';
import { until } from '../helpers/cli.js';
import { fixtureFrames } from '../helpers/fake-camera.js';
import { StreamClient, waitFor } from '../helpers/http.js';
import { histogram, type PromFamily, parsePrometheus, sample } from '../helpers/prometheus.js';
import { PushSource } from '../helpers/push-source.js';
import { tempFolder } from '../helpers/recording.js';

const frames = fixtureFrames('qvga');
const folder = tempFolder('metrics');
const source = new PushSource();
const encoder = new CamfEncoder();
let gateway: Gateway;

async function scrape(): Promise<{ families: PromFamily[]; contentType: string }> {
  const res = await fetch(`${gateway.url}/metrics`);
  expect(res.status).toBe(200);
  return { families: parsePrometheus(await res.text()), contentType: res.headers.get('content-type') ?? '' };
}

function send(n: number): void {
  for (let i = 0; i < n; i++) source.push(encoder.jpeg(frames[i % frames.length]!));
}

beforeAll(async () => {
  gateway = createGateway({
    cameras: [{ name: 'bench', source, protocol: 'camf' }],
    port: 0,
    recording: { dir: folder.dir, minFree: { bytes: 0 } },
  });
  await gateway.start();
});

afterAll(async () => {
  await gateway.stop();
  folder.remove();
});

describe('/metrics', () => {
  it('is the Prometheus text format: camera, recording and process families with their types', async () => {
    const { families, contentType } = await scrape();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const type = (name: string): string | undefined => families.find((f) => f.name === name)?.type;
    for (const name of [
      'frames_received_total',
      'bytes_received_total',
      'bytes_skipped_total',
      'crc_errors_total',
      'resyncs_total',
      'truncated_frames_total',
      'oversized_frames_total',
      'device_drops_total',
      'device_restarts_total',
      'recording_frames_total',
      'recording_bytes_total',
      'recording_segments_total',
      'recording_errors_total',
      'recording_dropped_frames_total',
      'timelapse_frames_total',
    ]) {
      expect(type(`cam_gateway_${name}`), name).toBe('COUNTER');
    }
    for (const name of ['online', 'fps_in', 'fps_out', 'viewers', 'recording_paused', 'disk_free_bytes']) {
      expect(type(`cam_gateway_${name}`), name).toBe('GAUGE');
    }
    expect(sample(families, 'cam_gateway_online', { camera: 'bench' })).toBe(1);
    expect(sample(families, 'cam_gateway_disk_free_bytes')).toBeGreaterThan(0);
    expect(type('process_cpu_user_seconds_total')).toBe('COUNTER');
    expect(type('nodejs_heap_size_used_bytes')).toBe('GAUGE');
  });

  it('counters grow with the frames received, recorded and the errors seen', async () => {
    const camera = { camera: 'bench' };
    const before = (await scrape()).families;
    const received = sample(before, 'cam_gateway_frames_received_total', camera) ?? 0;
    send(12);
    const corrupt = encoder.jpeg(frames[0]!);
    corrupt[corrupt.length - 10]! ^= 0xff; // the payload CRC no longer matches
    source.push(corrupt);
    await waitFor(() => gateway.cameras[0]!.status().frames === received + 12, '12 frames decoded');
    await until('12 frames recorded', async () => (await recordedFrames()) === received + 12);
    const after = (await scrape()).families;
    expect(sample(after, 'cam_gateway_frames_received_total', camera)).toBe(received + 12);
    expect(sample(after, 'cam_gateway_crc_errors_total', camera)).toBe(
      (sample(before, 'cam_gateway_crc_errors_total', camera) ?? 0) + 1,
    );
    const jpegBytes = frames.slice(0, 12).reduce((n, f) => n + f.length, 0);
    expect(sample(after, 'cam_gateway_bytes_received_total', camera)).toBeGreaterThan(
      (sample(before, 'cam_gateway_bytes_received_total', camera) ?? 0) + jpegBytes,
    );
    expect(sample(after, 'cam_gateway_fps_in', camera)).toBeGreaterThan(0);
    expect(sample(after, 'cam_gateway_recording_frames_total', camera)).toBe(received + 12);
    expect(sample(after, 'cam_gateway_recording_bytes_total', camera)).toBeGreaterThan(
      sample(before, 'cam_gateway_recording_bytes_total', camera) ?? 0,
    );
    expect(sample(after, 'cam_gateway_recording_segments_total', camera)).toBe(1);
    expect(sample(after, 'cam_gateway_recordings_bytes')).toBeGreaterThan(jpegBytes);
  });

  it('a histogram of the ages of the frames a stream client read', async () => {
    const client = await StreamClient.open(gateway.url, '/stream');
    try {
      const name = 'cam_gateway_client_frame_age_seconds';
      const ages = await until(
        'frame ages counted',
        async () => {
          send(1);
          const h = histogram((await scrape()).families, name);
          return h && h.count >= 3 ? h : undefined;
        },
        10_000,
        30,
      );
      if (!ages) throw new Error('no frame ages');
      expect(client.parser.parts).toBeGreaterThanOrEqual(3);
      // A reader that keeps up reads frames well under a second old — all but the first, the
      // newest frame when it connected, sent by the test before.
      expect(ages.buckets['1']).toBeGreaterThanOrEqual(ages.count - 1);
      expect(ages.buckets['1']).toBeGreaterThanOrEqual(2);
    } finally {
      client.destroy();
    }
  });
});

/** Frames the camera's recorder has written, as `/status` says. */
async function recordedFrames(): Promise<number> {
  const status = (await (await fetch(`${gateway.url}/status`)).json()) as {
    recording: { cameras: Record<string, { frames: number }> } | null;
  };
  return status.recording?.cameras.bench?.frames ?? 0;
}
