/**
 * The gateway's HTTP API as the page calls it. URLs are relative to the page
 * (a camera's `base` is `''` or `cams/NAME/`), so it works behind a reverse
 * proxy under a sub-path; credentials ride along for HTTP Basic.
 */

/** How a control request ended, in words for the person who asked. */
export interface ControlOutcome {
  readonly ok: boolean;
  readonly message: string;
}

type Fields = Readonly<Record<string, unknown>>;

function parseJson(body: string): Fields | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Fields)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Read a `/control` answer: 200 `{ok, reply}` is success unless `ok` is false
 * (the device said no); an error is `{error, parameter?, supported?}` with its
 * status (400 bad value or unsupported, 409 busy, 503 offline, 504 no reply).
 */
export function controlOutcome(status: number, body: string): ControlOutcome {
  const json = parseJson(body);
  const reply = typeof json?.reply === 'string' ? json.reply : '';
  if (status >= 200 && status < 300 && json && json.ok !== false) return { ok: true, message: reply || 'ok' };
  if (typeof json?.error === 'string') {
    const supported = Array.isArray(json.supported)
      ? json.supported.filter((s) => typeof s === 'string')
      : [];
    const also = supported.length > 0 ? ` Supported: ${supported.join(', ')}.` : '';
    return { ok: false, message: `${json.error} (HTTP ${status}).${also}` };
  }
  if (reply) return { ok: false, message: `the camera answered: ${reply}` };
  const text = body.trim().slice(0, 200);
  return { ok: false, message: `HTTP ${status}${text ? `: ${text}` : ''}` };
}

function controlUrl(base: string, name: string, value: string | undefined): string {
  const query = `var=${encodeURIComponent(name)}${value === undefined ? '' : `&val=${encodeURIComponent(value)}`}`;
  return `${base}control?${query}`;
}

/** `POST <base>control?var=NAME&val=VALUE`; never throws. */
export async function sendControl(
  base: string,
  name: string,
  value: string | undefined,
): Promise<ControlOutcome> {
  try {
    const res = await fetch(controlUrl(base, name, value), {
      method: 'POST',
      credentials: 'same-origin',
      cache: 'no-store',
    });
    return controlOutcome(res.status, await res.text());
  } catch (err) {
    return { ok: false, message: `gateway unreachable: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** `GET status` as JSON; throws an Error saying what went wrong. */
export async function fetchStatus(): Promise<unknown> {
  const res = await fetch('status', { credentials: 'same-origin', cache: 'no-store' });
  if (res.status === 401) throw new Error('sign-in needed: reload the page');
  if (!res.ok) throw new Error(`status ${res.status}`);
  const body: unknown = await res.json();
  return body;
}

/** `GET <base>snapshot` as a JPEG blob; throws an Error with the gateway's answer. */
export async function fetchSnapshot(base: string): Promise<Blob> {
  const res = await fetch(`${base}snapshot`, { credentials: 'same-origin', cache: 'no-store' });
  if (!res.ok) {
    const text = (await res.text()).slice(0, 200);
    throw new Error(`snapshot failed: ${res.status} ${text}`);
  }
  return res.blob();
}
