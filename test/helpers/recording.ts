/**
 * For recording tests: cameras that are just a named ring (frames pushed by
 * hand, at any timestamp: an hour of camera time in a moment), a recording
 * service over a fresh folder with a logger whose lines are kept, a free-space
 * probe the test sets, and the real size of a folder on disk.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Logger } from '../../src/log.js';
import type { FreeSpaceProbe } from '../../src/sinks/recording/disk-guard.js';
import { RecordingService, type RecordingSettings } from '../../src/sinks/recording/service.js';
import { RingBuffer, type RingbufferEntry } from '../../src/stream/ring-buffer.js';

export class RingCamera {
  readonly ring = new RingBuffer(10);
  constructor(readonly name: string) {}

  /** Publish a frame stamped `timestamp` (epoch seconds). */
  push(jpeg: Buffer, timestamp: number): RingbufferEntry {
    return this.ring.add(jpeg, undefined, timestamp);
  }
}

export function tempFolder(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A logger keeping its lines. */
export function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }), lines };
}

/** A free-space probe answering what the test last set (default: 500 GB free of 1 TB). */
export function settableProbe(): {
  probe: FreeSpaceProbe;
  set(free: number, total?: number): void;
  calls: number;
} {
  let space = { free: 500e9, total: 1e12 };
  const state = {
    calls: 0,
    probe: async () => {
      state.calls++;
      return { ...space };
    },
    set(free: number, total = space.total) {
      space = { free, total };
    },
  };
  return state;
}

export interface ServiceRig {
  service: RecordingService;
  lines: string[];
  probe: ReturnType<typeof settableProbe>;
  /** The service's clock (epoch seconds); tests move it. */
  clock: { now: number };
}

export function recordingService(
  cameras: readonly RingCamera[],
  settings: Partial<RecordingSettings> & { dir: string },
): ServiceRig {
  const { logger, lines } = recordingLogger();
  const probe = settableProbe();
  const clock = { now: Date.now() / 1000 };
  const service = new RecordingService(
    cameras,
    { segmentSeconds: 300, minFree: { bytes: 1e9, percent: 5 }, ...settings },
    { logger, probe: probe.probe, probeIntervalMs: 3_600_000, now: () => clock.now },
  );
  return { service, lines, probe, clock };
}

/** Bytes of the regular files under `dir`, as they are on disk now. */
export function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/** The files under `dir`, relative, sorted. */
export function folderFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** Epoch seconds of a local date and time (seconds may have a fraction). */
export function localTime(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  return new Date(y, mo - 1, d, h, mi, 0).getTime() / 1000 + s;
}
