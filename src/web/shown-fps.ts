/**
 * "fps shown": how often the painted image actually changes. Pictures from the
 * page's WebSocket are counted as they are drawn (`count()`). An MJPEG `<img>`
 * fires no event per frame, so while `sample(true)` once per animation frame
 * the picture is drawn onto a tiny canvas and hashed; a new hash is a new frame
 * on screen.
 */
export class ShownFps {
  readonly #img: HTMLImageElement;
  #ctx: CanvasRenderingContext2D | null;
  #changes = 0;
  #lastHash = 0;
  #since = performance.now();
  #rate: number | undefined;
  #sampling = false;
  /** Bumped whenever sampling starts or stops, so only the newest animation-frame loop runs. */
  #loop = 0;

  constructor(img: HTMLImageElement) {
    this.#img = img;
    const canvas = document.createElement('canvas');
    canvas.width = 24;
    canvas.height = 18;
    this.#ctx = canvas.getContext('2d', { willReadFrequently: true });
  }

  /** One more picture drawn. */
  count(): void {
    this.#changes++;
  }

  /** Watch the image for changes once per animation frame (for pictures nobody announces), or stop. */
  sample(on: boolean): void {
    if (on === this.#sampling) return;
    this.#sampling = on;
    const loop = ++this.#loop;
    if (!on) return;
    const tick = (): void => {
      if (loop !== this.#loop) return;
      this.#sample();
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  #sample(): void {
    const ctx = this.#ctx;
    if (!ctx || this.#img.naturalWidth === 0) return;
    try {
      const { width, height } = ctx.canvas;
      ctx.drawImage(this.#img, 0, 0, width, height);
      const d = ctx.getImageData(0, 0, width, height).data;
      let h = 0;
      for (let i = 0; i < d.length; i += 4) h = (Math.imul(h, 31) + d[i]! + d[i + 1]! + d[i + 2]!) | 0;
      if (h !== this.#lastHash) {
        this.#changes++;
        this.#lastHash = h;
      }
    } catch {
      // A tainted or broken image: stop sampling rather than throw every frame.
      this.#ctx = null;
    }
  }

  /** Changes per second since the last call (the previous figure when that was under half a second ago). */
  rate(): number | undefined {
    const now = performance.now();
    const seconds = (now - this.#since) / 1000;
    if (seconds < 0.5) return this.#rate;
    this.#rate = this.#changes / seconds;
    this.#changes = 0;
    this.#since = now;
    return this.#rate;
  }
}
