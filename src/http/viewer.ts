/**
 * The viewer page served at `GET /`: one self-contained HTML document (inline
 * CSS and script, no external assets) showing every camera's live image, its
 * statistics, controls, device info and log. The script polls `status` and
 * talks to `stream`, `snapshot` and `control`; URLs are relative so the page
 * also works behind a reverse proxy under a sub-path.
 */
import { VIEWER_SCRIPT } from './viewer-script.js';
import { VIEWER_CSS } from './viewer-style.js';

export interface ViewerOptions {
  /** Camera names, the default (first) camera first. */
  cameras: readonly string[];
  /** The gateway asks for HTTP Basic credentials (the browser re-sends them on every request). */
  authRequired: boolean;
}

/**
 * Browsers open at most ~6 HTTP/1.1 connections per host and every MJPEG
 * stream holds one for good; beyond this many cameras the rest show snapshots
 * refreshed once a second, leaving connections for `status`, snapshots and
 * controls. A tile's "Watch live" button swaps it with the oldest live one.
 */
export const LIVE_STREAM_LIMIT = 4;

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);
}

/** JSON safe to embed in a `<script>` block (no `</script>`, no `<!--`, no U+2028/2029 surprises). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Relative URL prefix of a camera's routes: the default camera of a one-camera gateway uses the short routes. */
function cameraBase(name: string, single: boolean): string {
  return single ? '' : `cams/${encodeURIComponent(name)}/`;
}

const ICON = `<svg viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.8"
stroke-linecap="round" stroke-linejoin="round"><path d="M4 8h3l2-3h6l2 3h3v11H4z"/><circle cx="12" cy="13" r="3.5"/></svg>`;

const LOCK_ICON = `<svg viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2"
stroke-linecap="round"><rect x="5" y="11" width="14" height="10" rx="2"/><path d="M8 11V8a4 4 0 0 1 8 0v3"/></svg>`;

function cameraCard(name: string, index: number, single: boolean): string {
  const n = escapeHtml(name);
  const base = escapeHtml(cameraBase(name, single));
  const live = index < LIVE_STREAM_LIMIT;
  const src = live ? `${base}stream` : `${base}snapshot`;
  const open = single ? ' open' : '';
  return `<article class="cam" data-cam-index="${index}" data-cam="${n}" aria-labelledby="cam-${index}-title">
  <div class="view">
    <div class="frame">
      <img class="live" src="${src}" alt="Live image from camera ${n}">
      <div class="nosignal" hidden role="img" aria-label="No signal from camera ${n}">
        <strong>NO SIGNAL</strong><span class="why"></span>
      </div>
    </div>
  </div>
  <div class="side">
    <div class="cam-head">
      <h2 id="cam-${index}-title" title="${n}">${n}</h2>
      <span class="badge" data-state="unknown" role="status" aria-live="polite" aria-label="Camera state">…</span>
    </div>
    <p class="sub"><span class="where"></span> · <span data-stat="clients">–</span> viewing</p>
    <dl class="stats">
      <div class="wide"><dt>Frame size</dt><dd data-stat="size">–</dd></div>
      <div><dt title="frames per second received from the camera">fps in</dt><dd data-stat="fps">–</dd></div>
      <div><dt title="frames per second painted on this page">fps shown</dt><dd data-stat="shown">–</dd></div>
      <div><dt>kB/s</dt><dd data-stat="kbps">–</dd></div>
      <div><dt>Frames</dt><dd data-stat="frames">–</dd></div>
      <div><dt title="frames the device produced but never arrived">Dropped</dt><dd data-stat="dropped">–</dd></div>
      <div><dt>CRC errors</dt><dd data-stat="crc">–</dd></div>
    </dl>
    <div class="actions">
      <button type="button" class="snap primary">Snapshot</button>
      <a class="btn" href="${base}stream" target="_blank" rel="noopener">Open stream</a>
      <button type="button" class="go-live"${live ? ' hidden' : ''}>Watch live</button>
    </div>
    <p class="note mode-note"${live ? ' hidden' : ''}>Refreshing once a second: browsers keep only a few live streams open per site.</p>
    <details class="controls"${open} hidden>
      <summary>Camera controls</summary>
      <form class="ctl-form" onsubmit="return false" aria-label="Camera controls of ${n}"></form>
    </details>
    <output class="ctl-out" aria-live="polite"></output>
    <details class="device"${open}><summary>Device</summary><dl class="kv"></dl></details>
    <details class="logs"${open}><summary>Device log</summary><pre class="log" tabindex="0" aria-label="Device log of ${n}"></pre></details>
  </div>
</article>`;
}

/** The whole viewer page for these cameras. */
export function viewerHtml(options: ViewerOptions): string {
  const single = options.cameras.length === 1;
  const config = {
    cameras: options.cameras.map((name, index) => ({
      name,
      base: cameraBase(name, single),
      live: index < LIVE_STREAM_LIMIT,
    })),
    authRequired: options.authRequired,
    liveLimit: LIVE_STREAM_LIMIT,
  };
  const title = single ? `${escapeHtml(options.cameras[0]!)} · cam-gateway` : 'cam-gateway';
  const cards = options.cameras.map((name, i) => cameraCard(name, i, single)).join('\n');
  const body =
    options.cameras.length === 0
      ? '<p class="empty">No cameras are configured.</p>'
      : `<div class="cams ${single ? 'one' : 'grid'}">\n${cards}\n</div>`;
  const lock = options.authRequired
    ? `<span class="lock" title="This gateway asks for a user name and password">${LOCK_ICON} password protected</span>`
    : '';
  const defaultBase = options.cameras.length > 0 ? escapeHtml(cameraBase(options.cameras[0]!, single)) : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${VIEWER_CSS}</style>
</head>
<body>
<header class="top">
  <h1>${ICON} cam-gateway</h1>
  <span id="gw" class="gw">connecting…</span>
  ${lock}
</header>
<main>
${body}
</main>
<footer>Stream <code>/${defaultBase}stream</code> · snapshot <code>/${defaultBase}snapshot</code> · status <code>/status</code> · control <code>/${defaultBase}control?var=…&amp;val=…</code></footer>
<script type="application/json" id="viewer-config">${scriptJson(config)}</script>
<script>${VIEWER_SCRIPT}</script>
</body>
</html>
`;
}
