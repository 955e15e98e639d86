/**
 * The viewer page served at `GET /` and its assets under `assets/`. The page is
 * built from `src/web` (`npm run build` compiles its modules and copies
 * `index.html` and `viewer.css` to `dist/web/`); the server only fills in the
 * title and a JSON config block (camera names, their relative URL bases, which
 * stream live without the WebSocket). Everything else the page renders itself from `status`,
 * including each camera's controls from the schema the camera publishes. URLs
 * are relative so the page also works behind a reverse proxy under a sub-path.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ViewerOptions {
  /** Camera names, the default (first) camera first. */
  cameras: readonly string[];
  /** The gateway asks for HTTP Basic credentials (the browser re-sends them on every request). */
  authRequired: boolean;
  /** Cameras streaming live at once; default `LIVE_STREAM_LIMIT` (HTTP/1.1's connection limit). */
  liveLimit?: number | undefined;
}

/** A built file of the page, ready to send. */
export interface ViewerAsset {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
}

/**
 * The page normally takes every camera's frames over its one WebSocket. Without
 * it (a proxy that blocks it) each MJPEG `<img>` holds one of the ~6 HTTP/1.1
 * connections browsers open per host for good; beyond this many cameras the rest
 * then show snapshots refreshed once a second, leaving connections for `status`,
 * snapshots and controls. A tile's "Watch live" button swaps it with the oldest
 * live one.
 */
export const LIVE_STREAM_LIMIT = 4;

/** Where `index.html` wants the config block. */
const CONFIG_PLACEHOLDER = '<!-- cam-gateway:config -->';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

const HTML_ESCAPES: Readonly<Record<string, string>> = {
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

/** The built page: its folder, the file names in it, and what was read so far. */
interface BuiltPage {
  readonly dir: string;
  readonly files: ReadonlySet<string>;
  readonly html: string;
  readonly assets: Map<string, ViewerAsset>;
}

let built: BuiltPage | undefined;

/**
 * `dist/web/`, seen from this module: `../web/` when running the build
 * (`dist/http/viewer.js`), `../../dist/web/` when running the sources
 * (`src/http/viewer.ts` under vitest or tsx).
 */
function builtPage(): BuiltPage {
  if (built) return built;
  const dir = ['../web/', '../../dist/web/']
    .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
    .find((candidate) => existsSync(`${candidate}viewer.js`));
  if (dir === undefined) throw new Error('viewer assets missing: run npm run build');
  built = {
    dir,
    files: new Set(readdirSync(dir)),
    html: readFileSync(`${dir}index.html`, 'utf8'),
    assets: new Map(),
  };
  return built;
}

/** The viewer page for these cameras: the built `index.html` with its title and config block filled in. */
export function viewerPage(options: ViewerOptions): string {
  const single = options.cameras.length === 1;
  const liveLimit = options.liveLimit ?? LIVE_STREAM_LIMIT;
  const config = {
    cameras: options.cameras.map((name, index) => ({
      name,
      base: cameraBase(name, single),
      live: index < liveLimit,
    })),
    authRequired: options.authRequired,
    liveLimit,
  };
  const title = single ? `${escapeHtml(options.cameras[0]!)} · cam-gateway` : 'cam-gateway';
  const block = `<script type="application/json" id="viewer-config">${scriptJson(config)}</script>`;
  // Replacer functions, so a `$` in a camera name is never read as a replacement pattern.
  return builtPage()
    .html.replace(/<title>[^<]*<\/title>/, () => `<title>${title}</title>`)
    .replace(CONFIG_PLACEHOLDER, () => block);
}

/**
 * A built script or stylesheet of the page, by its URL path relative to the
 * page (`assets/viewer.js`; a leading `/` is fine); `undefined` for anything
 * else. Only plain file names listed in the built folder are served, so no
 * path can leave it.
 */
export function viewerAsset(path: string): ViewerAsset | undefined {
  const name = /^\/?assets\/([\w.-]+)$/.exec(path)?.[1];
  if (name === undefined || name.startsWith('.')) return undefined;
  const contentType = CONTENT_TYPES[name.slice(name.lastIndexOf('.'))];
  if (contentType === undefined) return undefined;
  const page = builtPage();
  if (!page.files.has(name)) return undefined;
  let asset = page.assets.get(name);
  if (!asset) {
    asset = { body: new Uint8Array(readFileSync(`${page.dir}${name}`)), contentType };
    page.assets.set(name, asset);
  }
  return asset;
}
