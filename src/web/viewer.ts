/**
 * The viewer page's entry module. It reads the camera list from the server's
 * `#viewer-config` block, builds a card per camera, and opens one WebSocket
 * for the whole page: every camera's frames (each acknowledged once drawn)
 * and the status pushed once a second come through it, so any number of
 * cameras and tabs stay live (browsers open only ~6 HTTP connections per
 * host). When the socket cannot open, the page falls back to plain HTTP
 * (`fallback.ts`) until it can.
 */
import { CameraCard, type CameraConfig } from './camera-card.js';
import { Fallback } from './fallback.js';
import { duration, setText } from './format.js';
import { drawFpsFrom } from './frame-painter.js';
import { LiveSocket, socketUrl } from './live-socket.js';
import { parseGatewayStatus } from './status.js';

interface ViewerConfig {
  readonly cameras: readonly CameraConfig[];
  readonly authRequired: boolean;
  readonly liveLimit: number;
}

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
  const drawFps = drawFpsFrom(location.search);
  const cards = config.cameras.map(
    (camera, index) =>
      new CameraCard(template, camera, index, single, (card) => fallback.goLive(card), drawFps),
  );
  const byName = new Map(cards.map((card) => [card.name, card]));

  const grid = document.createElement('div');
  grid.className = `cams ${single ? 'one' : 'grid'}`;
  grid.append(...cards.map((card) => card.root));
  main.replaceChildren(grid);
  showRoutes(config.cameras[0]!.base);

  const showStatus = (body: unknown): void => {
    const status = parseGatewayStatus(body);
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
  };
  const showDown = (why: string): void => {
    gw.dataset.state = 'down';
    setText(gw, why);
    for (const card of cards) card.markUnknown();
  };

  const fallback = new Fallback(cards, config.liveLimit, { status: showStatus, down: showDown });
  // A hidden tab asks for no frames (nobody sees them; the status still comes) until it is shown again.
  const wanted = (): string[] => (document.hidden ? [] : cards.map((card) => card.name));
  const socket = new LiveSocket(socketUrl(location.href), wanted(), {
    open() {
      fallback.stop();
      for (const card of cards) card.setMode('socket');
    },
    frame(message) {
      const card = cards[message.camera];
      void (card ? card.paint(message) : Promise.resolve()).finally(() => socket.ack(message.camera));
    },
    status: showStatus,
    down(opened, why) {
      // An open socket closed: say so and reconnect. One that cannot open: carry on over HTTP meanwhile.
      if (opened) showDown(`gateway unreachable (${why}); reconnecting…`);
      else fallback.start();
    },
  });
  document.addEventListener('visibilitychange', () => socket.watch(wanted()));
  socket.connect();
}

start();
