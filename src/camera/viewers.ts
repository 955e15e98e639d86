/**
 * The viewers of one camera (stream clients and pending snapshots): leases that
 * count what each was sent, the list `/status` shows, and the first-viewer /
 * last-viewer edges idle saving needs.
 */
import { nowSeconds } from '../stream/ring-buffer.js';
import type { ViewerLease, ViewerMeta } from './handle.js';
import { RateMeter, round1 } from './rates.js';
import type { ClientStatus } from './status.js';

interface Viewer extends Omit<ClientStatus, 'fps'> {
  meter: RateMeter;
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
    }));
  }
}
