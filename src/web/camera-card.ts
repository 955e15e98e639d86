/**
 * One camera's card: the picture (frames from the page's WebSocket, or without
 * it a live MJPEG `<img>` or snapshots refreshed once a second), the NO SIGNAL
 * overlay, state badge, statistics, snapshot download, controls, device info
 * and log. Built from the page's `#camera-card` template; everything a device
 * supplies goes in as text.
 */
import { fetchSnapshot, sendControl } from './api.js';
import { ControlPanel } from './controls.js';
import { count, fileSafe, fixed, setText, stamp, withBust } from './format.js';
import type { FrameMessage } from './frame-message.js';
import { FramePainter } from './frame-painter.js';
import { ShownFps } from './shown-fps.js';
import type { CameraView } from './status.js';

/** A camera as the server's config block lists it. */
export interface CameraConfig {
  readonly name: string;
  /** Relative URL prefix of its routes: `''` or `cams/NAME/`. */
  readonly base: string;
  /** Without the WebSocket, starts as a live stream (else as refreshed snapshots). */
  readonly live: boolean;
}

/** Where the picture comes from: the page's WebSocket, an MJPEG stream, or snapshots (none yet: blank). */
export type PictureMode = 'socket' | 'stream' | 'snapshot' | 'none';

/** After a stream error, try again this much later. */
const RETRY_MS = 2000;
const LOG_LINES = 40;
const STATS = ['size', 'fps', 'shown', 'kbps', 'frames', 'dropped', 'crc', 'clients'] as const;
type Stat = (typeof STATS)[number];

function find<T extends Element>(root: ParentNode, selector: string, type: abstract new () => T): T {
  const el = root.querySelector(selector);
  if (!(el instanceof type)) throw new Error(`viewer page: no ${selector} in the camera card template`);
  return el;
}

export class CameraCard {
  readonly name: string;
  readonly base: string;
  readonly root: HTMLElement;
  /** Without the WebSocket, this card starts as a live stream. */
  readonly startsLive: boolean;
  #mode: PictureMode = 'none';
  /** Online at the last status (undefined before the first). */
  #online: boolean | undefined;
  #infoKey = '';
  readonly #img: HTMLImageElement;
  readonly #badge: HTMLElement;
  readonly #noSignal: HTMLElement;
  readonly #why: HTMLElement;
  readonly #where: HTMLElement;
  readonly #snapOut: HTMLOutputElement;
  readonly #modeNote: HTMLElement;
  readonly #liveButton: HTMLButtonElement;
  readonly #info: HTMLElement;
  readonly #log: HTMLElement;
  readonly #stats: Record<Stat, HTMLElement>;
  readonly #controls: ControlPanel;
  readonly #shown: ShownFps;
  readonly #painter: FramePainter;

  /** `onGoLive` runs when the person asks this (snapshot) tile to stream live; `drawFps` caps socket drawing. */
  constructor(
    template: HTMLTemplateElement,
    camera: CameraConfig,
    index: number,
    open: boolean,
    onGoLive: (card: CameraCard) => void,
    drawFps?: number,
  ) {
    this.name = camera.name;
    this.base = camera.base;
    this.startsLive = camera.live;
    const fragment = template.content.cloneNode(true);
    if (!(fragment instanceof DocumentFragment)) throw new Error('viewer page: bad camera card template');
    this.root = find(fragment, 'article.cam', HTMLElement);
    const id = `cam-${index}`;
    this.root.dataset.camIndex = String(index);
    this.root.dataset.cam = camera.name;
    this.root.setAttribute('aria-labelledby', `${id}-title`);

    const title = find(this.root, 'h2', HTMLHeadingElement);
    title.id = `${id}-title`;
    title.textContent = camera.name;
    title.title = camera.name;
    this.#img = find(this.root, 'img.live', HTMLImageElement);
    this.#img.alt = `Live image from camera ${camera.name}`;
    this.#noSignal = find(this.root, '.nosignal', HTMLElement);
    this.#noSignal.setAttribute('aria-label', `No signal from camera ${camera.name}`);
    this.#why = find(this.#noSignal, '.why', HTMLElement);
    this.#badge = find(this.root, '.badge', HTMLElement);
    this.#where = find(this.root, '.sub .where', HTMLElement);
    this.#snapOut = find(this.root, '.snap-out', HTMLOutputElement);
    this.#modeNote = find(this.root, '.mode-note', HTMLElement);
    this.#liveButton = find(this.root, '.go-live', HTMLButtonElement);
    this.#info = find(this.root, '.kv', HTMLElement);
    this.#log = find(this.root, '.log', HTMLElement);
    this.#log.setAttribute('aria-label', `Device log of ${camera.name}`);
    find(this.root, '.open-stream', HTMLAnchorElement).href = `${camera.base}stream`;
    const stats: Partial<Record<Stat, HTMLElement>> = {};
    for (const stat of STATS) stats[stat] = find(this.root, `[data-stat="${stat}"]`, HTMLElement);
    this.#stats = stats as Record<Stat, HTMLElement>;

    const form = find(this.root, '.ctl-form', HTMLFormElement);
    form.setAttribute('aria-label', `Camera controls of ${camera.name}`);
    this.#controls = new ControlPanel(
      find(this.root, '.controls', HTMLElement),
      form,
      `ctl-${index}`,
      (name, value) => sendControl(camera.base, name, value),
    );
    for (const details of this.root.querySelectorAll('details')) details.open = open;

    const snap = find(this.root, '.snap', HTMLButtonElement);
    snap.addEventListener('click', () => void this.#saveSnapshot(snap));
    this.#liveButton.addEventListener('click', () => onGoLive(this));
    this.#img.addEventListener('error', () => {
      // The stream ended (gateway restarted, network blip): try again shortly.
      if (this.#mode === 'stream') setTimeout(() => this.restartStream(), RETRY_MS);
    });
    this.#shown = new ShownFps(this.#img);
    this.#painter = new FramePainter(this.#img, drawFps);
    this.#showMode();
  }

  get mode(): PictureMode {
    return this.#mode;
  }

  /**
   * Take the picture from the page's WebSocket (`paint`), a live MJPEG stream, or
   * snapshots refreshed with each status. Leaving a stream closes its connection.
   */
  setMode(mode: PictureMode): void {
    if (mode === this.#mode) return;
    this.#mode = mode;
    this.#painter.clear();
    this.#shown.sample(mode === 'stream' || mode === 'snapshot');
    if (mode === 'stream') this.#img.src = `${this.base}stream`;
    else if (mode === 'snapshot') this.#img.src = withBust(`${this.base}snapshot`);
    else this.#img.removeAttribute('src');
    this.#showMode();
  }

  /** Show a picture from the socket; resolves once it is drawn (or when the card takes its picture elsewhere). */
  async paint(message: FrameMessage): Promise<void> {
    if (this.#mode !== 'socket') return;
    await this.#painter.paint(message);
    this.#shown.count();
  }

  /** Open the live stream again (after an error, or when the gateway is back). */
  restartStream(): void {
    if (this.#mode === 'stream') this.#img.src = withBust(`${this.base}stream`);
  }

  /** The gateway cannot be reached: nobody knows this camera's state. */
  markUnknown(): void {
    this.#badge.dataset.state = 'unknown';
    setText(this.#badge, 'unknown');
  }

  render(s: CameraView): void {
    const wasOnline = this.#online;
    this.#online = s.online;
    const state = s.online ? (s.idle?.stopped ? 'idle' : 'online') : 'offline';
    this.#badge.dataset.state = state;
    setText(this.#badge, state);
    this.#noSignal.hidden = s.online;
    setText(this.#why, s.online ? '' : (s.lastError ?? 'The camera is not connected.'));
    setText(this.#where, [s.port, s.detectedProtocol ?? s.protocol].filter(Boolean).join(' · '));
    this.#renderStats(s);
    this.#controls.update(s.controls);
    this.#renderInfo(s);
    this.#renderLog(s.logs);
    const img = this.#img;
    if (this.#mode === 'snapshot' && s.online) img.src = withBust(`${this.base}snapshot`);
    // Back online after a gap, or the picture never arrived: reopen the stream.
    const neverPainted = img.complete && img.naturalWidth === 0 && (s.frames ?? 0) > 0;
    if (this.#mode === 'stream' && s.online && (wasOnline === false || neverPainted)) this.restartStream();
  }

  #renderStats(s: CameraView): void {
    const img = this.#img;
    // While offline the picture is the gateway's no-signal card: its size is not the camera's.
    const size = img.naturalWidth && s.online ? `${img.naturalWidth}×${img.naturalHeight}` : '–';
    const st = this.#stats;
    setText(st.size, size);
    st.size.title = size;
    setText(st.fps, fixed(s.fpsReceived, 1));
    setText(st.shown, fixed(this.#shown.rate(), 1));
    setText(st.kbps, fixed(s.kBps, 1));
    setText(st.frames, count(s.frames));
    setText(st.dropped, count(s.deviceDrops));
    setText(st.crc, count(s.crcErrors));
    setText(st.clients, count(s.clients));
    st.dropped.dataset.alert = (s.deviceDrops ?? 0) > 0 ? '1' : '0';
    st.crc.dataset.alert = (s.crcErrors ?? 0) > 0 ? '1' : '0';
  }

  #renderInfo(s: CameraView): void {
    const rows: [string, string][] = [];
    if (s.port) rows.push(['port', s.port]);
    rows.push([
      'protocol',
      s.detectedProtocol ?? (s.protocol === 'auto' ? 'detecting…' : (s.protocol ?? '–')),
    ]);
    for (const [key, value] of Object.entries(s.info ?? {})) {
      rows.push([key, typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value)]);
    }
    if (s.lastError) rows.push(['last error', s.lastError]);
    if (s.idle) rows.push(['idle stop', `${s.idle.stopAfterSeconds} s${s.idle.stopped ? ' (stopped)' : ''}`]);
    const key = JSON.stringify(rows);
    if (key === this.#infoKey) return;
    this.#infoKey = key;
    this.#info.replaceChildren(
      ...rows.flatMap(([name, value]) => {
        const dt = document.createElement('dt');
        dt.textContent = name;
        const dd = document.createElement('dd');
        dd.textContent = value;
        return [dt, dd];
      }),
    );
  }

  #renderLog(logs: readonly string[]): void {
    const log = this.#log;
    const text = logs.slice(-LOG_LINES).join('\n') || '(no device log yet)';
    if (log.textContent === text) return;
    // Follow new lines only when already at the bottom; otherwise keep the place being read.
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    const top = log.scrollTop;
    log.textContent = text;
    log.scrollTop = atBottom ? log.scrollHeight : top;
  }

  #showMode(): void {
    const snapshots = this.#mode === 'snapshot';
    this.#modeNote.hidden = !snapshots;
    this.#liveButton.hidden = !snapshots;
  }

  async #saveSnapshot(button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      const blob = await fetchSnapshot(this.base);
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = `${fileSafe(this.name)}-${stamp()}.jpg`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
      this.#snapOut.dataset.state = 'ok';
      this.#snapOut.textContent = `snapshot saved as ${a.download}`;
    } catch (err) {
      this.#snapOut.dataset.state = 'error';
      this.#snapOut.textContent = err instanceof Error ? err.message : String(err);
    } finally {
      button.disabled = false;
    }
  }
}
