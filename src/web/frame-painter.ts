/**
 * Draws the socket's pictures into a card's `<img>`: each JPEG becomes a blob
 * URL, is decoded, and only then does `paint()` resolve (the page acknowledges
 * the frame then, and the gateway sends the camera's next). The image carries
 * the frame it shows as `data-frame-index` and `data-frame-time` (its
 * `X-Timestamp`; neither while it shows the NO SIGNAL card), for people and tests. `?draw_fps=N` on the page's URL lets
 * it draw at most N pictures a second per camera: a debug knob that plays a
 * slow device on the real code path.
 */
import type { FrameMessage } from './frame-message.js';

/** `draw_fps` from the page's query, when it is a positive number. */
export function drawFpsFrom(search: string): number | undefined {
  const raw = new URLSearchParams(search).get('draw_fps');
  const fps = raw === null ? Number.NaN : Number(raw);
  return Number.isFinite(fps) && fps > 0 ? fps : undefined;
}

export class FramePainter {
  readonly #img: HTMLImageElement;
  readonly #gapMs: number;
  #url: string | undefined;
  #drawnAt = Number.NEGATIVE_INFINITY;

  constructor(img: HTMLImageElement, drawFps?: number) {
    this.#img = img;
    this.#gapMs = drawFps ? 1000 / drawFps : 0;
  }

  /** Show this picture; resolves once it is decoded into the image (or failed to decode). */
  async paint(message: FrameMessage): Promise<void> {
    if (message.kind === 'other') return;
    const wait = this.#drawnAt + this.#gapMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const img = this.#img;
    const url = URL.createObjectURL(
      new Blob([message.jpeg as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }),
    );
    // Decoded off screen first: the shown image then swaps to a picture the document already
    // holds, so it never goes blank (or reports 0×0) between two frames.
    const next = new Image();
    next.src = url;
    try {
      await next.decode();
    } catch {
      // A JPEG the browser cannot decode: the next picture replaces it.
    }
    img.src = url;
    this.#drawnAt = performance.now();
    this.#release();
    this.#url = url;
    if (message.kind === 'frame') {
      img.dataset.frameIndex = String(message.index);
      img.dataset.frameTime = message.timestamp.toFixed(6);
    } else this.#unmark();
  }

  /** The image is about to show something else: let go of the last picture and its marks. */
  clear(): void {
    this.#release();
    this.#unmark();
  }

  #release(): void {
    if (this.#url !== undefined) URL.revokeObjectURL(this.#url);
    this.#url = undefined;
  }

  #unmark(): void {
    delete this.#img.dataset.frameIndex;
    delete this.#img.dataset.frameTime;
  }
}
