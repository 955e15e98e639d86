/**
 * The viewers of one camera (stream clients and pending snapshots): leases that
 * count what each was sent, the list `/status` shows, and the first-viewer /
 * last-viewer edges idle saving needs.
 */
import { nowSeconds } from '../stream/ring-buffer.js';
import type { ViewerLease, ViewerMeta, ViewerPacing } from './handle.js';
import { RateMeter, round1 } from './rates.js';
import type { ClientStatus } from './status.js';

interface Viewer extends Omit<ClientStatus, 'fps' | 'consumed' | 'age' | 'pacing' | 'cap'> {
  meter: RateMeter;
  consumed: number;
  /** Age of the frame read last, seconds (undefined: none reported). */
  age: number | undefined;
  pacing: (() => ViewerPacing) | undefined;
}

export interface ViewerRegistryEvents {
  /** The first viewer attached (there were none). */
  first(): void;
  /** The last viewer left. */
  empty(): void;
}

export class ViewerRegistry {
  readonly #viewers = new Map<number, Viewer>();
  readonly #served = new RateMeter();
  readonly #events: ViewerRegistryEvents;
  readonly #frameAgeListeners = new Set<(ageSeconds: number) => void>();
  #nextId = 1;

  constructor(events: ViewerRegistryEvents) {
    this.#events = events;
  }

  get size(): number {
    return this.#viewers.size;
  }

  /** Frames per second sent to all viewers together. */
  servedFps(t = nowSeconds()): number {
    return this.#served.rate(t);
  }

  /**
   * Call `listener` with the age (seconds since the camera delivered it) of every frame a stream
   * client read, as far as TCP tells: what a histogram of frame ages counts. Returns the function
   * that stops it.
   */
  onFrameAge(listener: (ageSeconds: number) => void): () => void {
    this.#frameAgeListeners.add(listener);
    return () => this.#frameAgeListeners.delete(listener);
  }

  attach(meta: ViewerMeta): ViewerLease {
    const viewer: Viewer = {
      id: this.#nextId++,
      kind: meta.kind,
      ...(meta.remote !== undefined ? { remote: meta.remote } : {}),
      ...(meta.fpsCap !== undefined ? { fpsCap: meta.fpsCap } : {}),
      since: nowSeconds(),
      frames: 0,
      bytes: 0,
      meter: new RateMeter(),
      consumed: 0,
      age: undefined,
      pacing: undefined,
    };
    this.#viewers.set(viewer.id, viewer);
    if (this.#viewers.size === 1) this.#events.first();
    let released = false;
    return {
      id: viewer.id,
      frameSent: (bytes: number) => {
        if (released) return;
        viewer.frames++;
        viewer.bytes += bytes;
        const t = nowSeconds();
        viewer.meter.add(1, t);
        this.#served.add(1, t);
      },
      frameConsumed: (ageSeconds: number) => {
        if (released) return;
        viewer.consumed++;
        viewer.age = ageSeconds;
        for (const listener of this.#frameAgeListeners) listener(ageSeconds);
      },
      pacingFrom: (current: () => ViewerPacing) => {
        viewer.pacing = current;
      },
      release: () => {
        if (released) return;
        released = true;
        this.#viewers.delete(viewer.id);
        if (this.#viewers.size === 0) this.#events.empty();
      },
    };
  }

  list(t = nowSeconds()): ClientStatus[] {
    return [...this.#viewers.values()].map((v) => ({
      id: v.id,
      kind: v.kind,
      ...(v.remote !== undefined ? { remote: v.remote } : {}),
      ...(v.fpsCap !== undefined ? { fpsCap: v.fpsCap } : {}),
      since: v.since,
      frames: v.frames,
      bytes: v.bytes,
      fps: round1(v.meter.rate(t)),
      ...pacingStatus(v),
    }));
  }
}

/** What a client read and how it is paced (stream clients whose writer reports it), and the rate it is held to. */
function pacingStatus(v: Viewer): Pick<ClientStatus, 'consumed' | 'age' | 'pacing' | 'cap'> {
  const pacing = v.pacing?.();
  const caps = [v.fpsCap, pacing?.mode === 'paced' ? pacing.readFps : undefined].filter(
    (x): x is number => x !== undefined,
  );
  return {
    ...(pacing !== undefined || v.consumed > 0 ? { consumed: v.consumed } : {}),
    ...(v.age !== undefined ? { age: Math.round(v.age * 1000) / 1000 } : {}),
    ...(pacing !== undefined ? { pacing: pacing.mode } : {}),
    ...(caps.length > 0 ? { cap: round1(Math.min(...caps)) } : {}),
  };
}
