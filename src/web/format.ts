/** How the page writes numbers, durations, file names and URLs. No DOM here except `setText`. */

/** A number with `digits` decimals, or `–` when unknown. */
export function fixed(n: number | undefined, digits: number): string {
  return n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : '–';
}

/** A count with thousands separators (`12,345`), or `–` when unknown. */
export function count(n: number | undefined): string {
  return n === undefined ? '–' : n.toLocaleString('en-US');
}

/** Seconds as the two largest units (`3 d 4 h`, `2 h 5 min`, `1 min 7 s`, `9 s`). */
export function duration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '–';
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d} d ${h} h`;
  if (h) return `${h} h ${m} min`;
  if (m) return `${m} min ${s % 60} s`;
  return `${s} s`;
}

/** Local time as `YYYYMMDD-HHMMSS`, for file names. */
export function stamp(t: Date = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${t.getFullYear()}${p(t.getMonth() + 1)}${p(t.getDate())}-${p(t.getHours())}${p(t.getMinutes())}${p(t.getSeconds())}`;
}

/** A camera name made safe as part of a file name. */
export function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** The URL with a cache-busting query parameter, so the browser fetches it again. */
export function withBust(url: string, now: number = Date.now()): string {
  return `${url}${url.includes('?') ? '&' : '?'}_=${now}`;
}

/** Set an element's text only when it changed (no needless layout, no lost selection). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
