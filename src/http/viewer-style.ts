/** The viewer page's stylesheet (inlined by `viewer.ts`; the page loads no external assets). */
export const VIEWER_CSS = `
:root {
  color-scheme: dark;
  --bg: #101418; --panel: #182028; --panel-2: #1f2a34; --line: #2c3a47;
  --text: #e6edf3; --muted: #8b9bab; --accent: #4fa3ff;
  --ok: #2ecc71; --bad: #ff5d5d; --warn: #f5b942;
  --radius: 10px;
  font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, Ubuntu, sans-serif;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); }
a { color: var(--accent); }
.top {
  display: flex; align-items: center; gap: 12px; flex-wrap: wrap;
  padding: 10px 18px; border-bottom: 1px solid var(--line); background: var(--panel);
}
.top h1 { margin: 0; font-size: 17px; font-weight: 650; display: flex; align-items: center; gap: 8px; }
.top h1 svg { width: 22px; height: 22px; }
.gw { color: var(--muted); font-size: 13px; }
.gw[data-state='down'] { color: var(--bad); }
.lock { margin-left: auto; color: var(--muted); font-size: 12px; border: 1px solid var(--line);
  border-radius: 999px; padding: 2px 10px; display: inline-flex; align-items: center; gap: 5px; }
.lock svg { width: 13px; height: 13px; }
main { padding: 16px 18px; }
.empty { color: var(--muted); text-align: center; padding: 80px 0; }
.cams { display: grid; gap: 16px; }
.cams.grid { grid-template-columns: repeat(auto-fill, minmax(min(380px, 100%), 1fr)); }
.cam { background: var(--panel); border: 1px solid var(--line); border-radius: var(--radius); overflow: hidden;
  display: grid; }
.cams.one .cam { grid-template-columns: minmax(0, 1fr) 376px; }
@media (max-width: 900px) { .cams.one .cam { grid-template-columns: 1fr; } }
.view { background: #000; display: flex; align-items: center; justify-content: center; min-height: 240px; }
.frame { position: relative; width: 100%; display: flex; justify-content: center; }
.frame img { display: block; max-width: 100%; max-height: calc(100vh - 120px); width: auto; height: auto;
  image-rendering: auto; background: #000; }
.cams.one .frame img { width: 100%; height: clamp(240px, calc(100vh - 112px), 1200px); max-height: none;
  object-fit: contain; }
@media (max-width: 900px) { .cams.one .frame img { height: auto; max-height: 75vh; } }
.cams.grid .frame img { width: 100%; max-height: 60vh; object-fit: contain; }
.nosignal {
  position: absolute; inset: 0; display: flex; flex-direction: column; gap: 6px;
  align-items: center; justify-content: center; text-align: center; padding: 16px;
  background: repeating-linear-gradient(135deg, #151b21 0 14px, #11161b 14px 28px);
  color: var(--muted);
}
.nosignal[hidden] { display: none; }
.nosignal strong { font-size: 22px; letter-spacing: .12em; color: var(--text); }
.nosignal .why { font-size: 13px; max-width: 40ch; }
.side { padding: 14px 16px; display: flex; flex-direction: column; gap: 12px; min-width: 0; }
.cams.one .side { border-left: 1px solid var(--line); }
@media (max-width: 900px) { .cams.one .side { border-left: 0; } }
.cam-head { display: flex; align-items: center; gap: 10px; }
.cam-head h2 { margin: 0; font-size: 16px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.sub { margin: -6px 0 0; color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
.badge { margin-left: auto; font-size: 12px; font-weight: 600; padding: 2px 10px 2px 8px; border-radius: 999px;
  border: 1px solid var(--line); color: var(--muted); display: inline-flex; align-items: center; gap: 6px;
  white-space: nowrap; }
.badge::before { content: ''; width: 8px; height: 8px; border-radius: 50%; background: currentColor; }
.badge[data-state='online'] { color: var(--ok); border-color: color-mix(in srgb, var(--ok) 45%, transparent); }
.badge[data-state='offline'] { color: var(--bad); border-color: color-mix(in srgb, var(--bad) 45%, transparent); }
.badge[data-state='idle'] { color: var(--warn); }
.stats { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 6px; margin: 0; }
.stats > div { background: var(--panel-2); border-radius: 8px; padding: 6px 8px; min-width: 0; }
.stats > div.wide { grid-column: span 2; }
.stats dt { color: var(--muted); font-size: 11.5px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.stats dd { margin: 0; font-size: 15px; font-variant-numeric: tabular-nums; font-weight: 600;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.stats dd[data-alert='1'] { color: var(--warn); }
.actions { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
button, .btn {
  font: inherit; color: var(--text); background: var(--panel-2); border: 1px solid var(--line);
  border-radius: 8px; padding: 6px 12px; cursor: pointer; text-decoration: none;
}
button:hover, .btn:hover { border-color: var(--accent); }
button.primary { background: var(--accent); border-color: var(--accent); color: #06121f; font-weight: 600; }
button:disabled { opacity: .55; cursor: progress; }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.controls[hidden] { display: none; }
.controls .ctl-form { margin-top: 8px; }
.ctl-form { display: grid; grid-template-columns: auto minmax(0, 1fr) 3ch; gap: 8px 10px; align-items: center; }
.ctl-form label { color: var(--muted); }
.ctl-form select, .ctl-form input[type='text'] { font: inherit; color: var(--text); background: var(--panel-2);
  border: 1px solid var(--line); border-radius: 6px; padding: 4px 6px; min-width: 0; }
.ctl-form input[type='range'] { width: 100%; accent-color: var(--accent); }
.ctl-form input[type='checkbox'] { justify-self: start; width: 18px; height: 18px; accent-color: var(--accent); }
.ctl-form .val { color: var(--muted); font-variant-numeric: tabular-nums; text-align: right; }
.ctl-out { display: block; font: 12px/1.4 ui-monospace, monospace;
  color: var(--muted); overflow-wrap: anywhere; }
.ctl-out:empty { display: none; }
.ctl-out[data-state='ok'] { color: var(--ok); }
.ctl-out[data-state='error'] { color: var(--bad); }
details { background: var(--panel-2); border-radius: 8px; padding: 6px 10px; }
summary { cursor: pointer; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
.kv { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: 2px 12px; margin: 6px 0 2px; font-size: 13px; }
.kv dt { color: var(--muted); }
.kv dd { margin: 0; overflow-wrap: anywhere; }
.log { margin: 6px 0 2px; max-height: 190px; overflow: auto; font: 12px/1.45 ui-monospace, monospace;
  white-space: pre-wrap; overflow-wrap: anywhere; color: #c9d4df; }
.note { color: var(--muted); font-size: 12px; margin: 0; }
footer { color: var(--muted); font-size: 12px; padding: 0 18px 18px; }
footer code { color: var(--text); }
`;
