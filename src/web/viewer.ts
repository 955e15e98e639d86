/**
 * The viewer page's entry module. It reads the camera list from the server's
 * `#viewer-config` block, builds a card per camera, polls `status` once a
 * second and hands each camera's status to its card. Browsers open only ~6
 * connections per host, so at most `liveLimit` cards stream live; "Watch live"
 * on another swaps it with the oldest live one.
 */
import { fetchStatus } from './api.js';
import { CameraCard, type CameraConfig } from './camera-card.js';
import { duration, setText } from './format.js';
import { parseGatewayStatus } from './status.js';

interface ViewerConfig {
  readonly cameras: readonly CameraConfig[];
  readonly authRequired: boolean;
  readonly liveLimit: number;
}

const POLL_MS = 1000;

function element<T extends Element>(id: string, type: abstract new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`viewer page: no #${id}`);
  return el;
}

/** The server's config block, checked field by field. */
function readConfig(): ViewerConfig {
  const raw: unknown = JSON.parse(element('viewer-config', HTMLScriptElement).textContent || '{}');
  const fields = (typeof raw === 'object' && raw !== null ? raw : {}) as Readonly<Record<string, unknown>>;
  const cameras: CameraConfig[] = [];
  for (const item of Array.isArray(fields.cameras) ? (fields.cameras as unknown[]) : []) {
    const c = (typeof item === 'object' && item !== null ? item : {}) as Readonly<Record<string, unknown>>;
    if (typeof c.name === 'string' && typeof c.base === 'string') {
      cameras.push({ name: c.name, base: c.base, live: c.live === true });
    }
  }
  const limit = fields.liveLimit;
  return {
    cameras,
    authRequired: fields.authRequired === true,
    liveLimit: typeof limit === 'number' && limit >= 0 ? limit : 4,
  };
}

function showRoutes(base: string): void {
  const footer = element('routes', HTMLElement);
  for (const code of footer.querySelectorAll<HTMLElement>('[data-route]')) {
    const route = code.dataset.route;
    code.textContent = route === 'control' ? `/${base}control?var=…&val=…` : `/${base}${route}`;
  }
  footer.hidden = false;
}

function start(): void {
  const config = readConfig();
  const gw = element('gw', HTMLElement);
  const main = element('cams', HTMLElement);
  element('lock', HTMLElement).hidden = !config.authRequired;

  if (config.cameras.length === 0) {
    const empty = document.createElement('p');
    empty.className = 'empty';
    empty.textContent = 'No cameras are configured.';
    main.replaceChildren(empty);
    return;
  }

  const single = config.cameras.length === 1;
  const template = element('camera-card', HTMLTemplateElement);
  const liveOrder: CameraCard[] = [];
  const goLive = (card: CameraCard): void => {
    if (card.live) return;
    const demoted = liveOrder.length >= config.liveLimit ? liveOrder.shift() : undefined;
    demoted?.setLive(false);
    card.setLive(true);
    liveOrder.push(card);
  };
  const cards = config.cameras.map(
    (camera, index) => new CameraCard(template, camera, index, single, goLive),
  );
  const byName = new Map(cards.map((card) => [card.name, card]));
  liveOrder.push(...cards.filter((card) => card.live));

  const grid = document.createElement('div');
  grid.className = `cams ${single ? 'one' : 'grid'}`;
  grid.append(...cards.map((card) => card.root));
  main.replaceChildren(grid);
  showRoutes(config.cameras[0]!.base);

  let failed = false;
  const poll = async (): Promise<void> => {
    try {
      const status = parseGatewayStatus(await fetchStatus());
      let viewers = 0;
      for (const camera of status.cameras) {
        byName.get(camera.name)?.render(camera);
        viewers += camera.clients ?? 0;
      }
      gw.dataset.state = 'up';
      setText(
        gw,
        `v${status.version ?? '?'} · up ${duration(status.uptime)} · ${viewers} viewer${viewers === 1 ? '' : 's'}`,
      );
      // The gateway is back after a gap: its streams ended with it.
      if (failed) for (const card of cards) card.restartStream();
      failed = false;
    } catch (err) {
      failed = true;
      gw.dataset.state = 'down';
      setText(gw, `gateway unreachable (${err instanceof Error ? err.message : String(err)})`);
      for (const card of cards) card.markUnknown();
    }
    setTimeout(() => void poll(), POLL_MS);
  };
  void poll();
}

start();
