/**
 * What a web page the user happens to visit may make the user's browser do to the gateway.
 * Two rules, both answered `403` JSON:
 *
 * - **DNS rebinding.** A page on `http://rebind.evil.example:8080/` whose name the attacker
 *   then points at 127.0.0.1 is, to the browser, same-origin with the gateway: it could read
 *   frames and status and change settings. Its requests carry `Host: rebind.evil.example`,
 *   so every request must be addressed to a name the gateway knows as its own: an IP address
 *   (rebinding needs a name; a page on an address is already kept apart by the browser's
 *   same-origin rule), `localhost` and `*.localhost`, this machine's host name (and
 *   `NAME.local`), or a name given with `--allow-host` (`*`: any).
 * - **Cross-site requests that change state** (`/control`, and any request by a method other
 *   than GET, HEAD, OPTIONS): an `<img src=…/control?…>` or a form posted from another site
 *   is sent with the user's network position (and credentials). Refused when the browser says
 *   it is cross-site or same-site (`Sec-Fetch-Site`, sent by every current browser; `same-site`
 *   includes another port of the same host), or, where it is not sent (browsers send it only
 *   to trustworthy origins: loopback or HTTPS, not a LAN address over HTTP), when `Origin` or
 *   `Referer` names another host or a browser (`User-Agent: Mozilla/…`) shows neither.
 *   Requests with none of these headers from other clients (curl, scripts,
 *   CameraWebServer-style clients) and the gateway's own page pass. An origin given with
 *   `--cors ORIGIN` may change settings too; `--cors '*'` lets any page read, not write.
 */
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from '../log.js';
import { ApiError } from './errors.js';

export interface GuardOptions {
  /** Host names a request may be addressed to besides the built-in ones (see above); `*` allows any. */
  allowHosts?: readonly string[];
  /** The `--cors` origin: it may also change state (`*` only reads). */
  cors?: string;
  /** Told once per refused host or origin (up to a bounded number of them). */
  logger?: Logger;
}

export interface Guard {
  /** For every request: the Host check, and the cross-site check for unsafe methods. */
  readonly requests: MiddlewareHandler;
  /** For routes that change state on GET too (`/control`): the cross-site check. */
  readonly stateChange: MiddlewareHandler;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Every browser's User-Agent starts so; curl, wget, Python, ffmpeg, OctoPrint, Home Assistant do not. */
const BROWSER_AGENT = /^Mozilla\//;
/** Distinct refusals logged; past that, refusals are only answered. */
const MAX_LOGGED = 32;

/** A host name as compared: lower case, no trailing dot, IPv6 without brackets. */
function normalizeHost(name: string): string {
  const lower = name.toLowerCase().replace(/\.$/, '');
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
}

/** `http://a.example:3000/x` → `a.example:3000`; null for `null`, opaque or unparsable values. */
function hostOf(url: string): string | null {
  try {
    const host = new URL(url).host;
    return host === '' ? null : host.toLowerCase();
  } catch {
    return null;
  }
}

/** `http://a.example:3000/x` → `http://a.example:3000`; null when it has no origin. */
function originOf(url: string): string | null {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

export function createGuard(options: GuardOptions = {}): Guard {
  const allowed = new Set((options.allowHosts ?? []).map(normalizeHost));
  const anyHost = allowed.has('*');
  const machine = normalizeHost(hostname());
  for (const name of [machine, `${machine}.local`]) allowed.add(name);
  const corsOrigin =
    options.cors !== undefined && options.cors !== '*' ? (originOf(options.cors) ?? options.cors) : undefined;
  const logged = new Set<string>();
  const refuse = (c: Context, key: string, message: string, details: Record<string, unknown>): never => {
    if (options.logger && logged.size < MAX_LOGGED && !logged.has(key)) {
      logged.add(key);
      const last = logged.size === MAX_LOGGED ? ' (no more such notes)' : '';
      options.logger.warn(`refused ${c.req.method} ${c.req.path} (403): ${message}${last}`);
    }
    throw new ApiError(403, message, details);
  };

  const hostAllowed = (host: string): boolean =>
    anyHost || isIP(host) !== 0 || host === 'localhost' || host.endsWith('.localhost') || allowed.has(host);

  const checkHost = (c: Context): void => {
    const host = normalizeHost(new URL(c.req.url).hostname);
    if (hostAllowed(host)) return;
    refuse(
      c,
      `host ${host}`,
      `requests addressed to "${host}" are not answered (DNS rebinding protection); if that is a name of this machine, start the gateway with --allow-host ${host}`,
      { header: 'host', host },
    );
  };

  /** Refuse a request a browser sent from another site; pass everything else. */
  const checkSameOrigin = (c: Context): void => {
    const origin = c.req.header('origin');
    const referer = c.req.header('referer');
    const from = (origin !== undefined ? originOf(origin) : null) ?? (referer ? originOf(referer) : null);
    if (from !== null && from === corsOrigin) return;
    const site = c.req.header('sec-fetch-site')?.toLowerCase();
    const hint = from
      ? ` (to let pages on ${from} change settings, start the gateway with --cors ${from})`
      : '';
    if (site === 'cross-site' || site === 'same-site') {
      refuse(
        c,
        `site ${from ?? site}`,
        `a page on another site${from ? ` (${from})` : ''} may not change camera settings${hint}`,
        { header: 'sec-fetch-site' },
      );
    }
    if (site !== undefined) return; // same-origin, or none (typed in the address bar)
    const own = new URL(c.req.url).host.toLowerCase();
    const header = origin !== undefined ? 'origin' : referer !== undefined ? 'referer' : undefined;
    if (header === undefined) {
      // No origin shown. curl and scripts show none; a browser does, except where a page asked
      // it not to (`referrerpolicy="no-referrer"`) and the gateway is not on a trustworthy
      // origin (a LAN address over plain HTTP gets no Sec-Fetch-Site). A page cannot change the
      // User-Agent of a request without a preflight, so a browser's own one gives it away.
      if (!BROWSER_AGENT.test(c.req.header('user-agent') ?? '')) return;
      refuse(
        c,
        'browser without origin',
        'a browser request that does not show which page sent it may not change camera settings (use the gateway’s own page, or curl and scripts)',
        { header: 'referer' },
      );
    }
    const claimed = hostOf(header === 'origin' ? origin! : referer!);
    if (claimed === own) return;
    refuse(
      c,
      `${header} ${from ?? claimed}`,
      `a page on another origin${from ? ` (${from})` : ''} may not change camera settings${hint}`,
      { header },
    );
  };

  return {
    requests: async (c, next) => {
      checkHost(c);
      if (!SAFE_METHODS.has(c.req.method)) checkSameOrigin(c);
      await next();
    },
    stateChange: async (c, next) => {
      checkSameOrigin(c);
      await next();
    },
  };
}
