/**
 * `--mqtt`: a gateway's cameras in Home Assistant through MQTT discovery. One
 * MQTT.js client with a last will (`offline`, retained, on the gateway's
 * availability topic); on every connect: `online`, the retained discovery
 * config of each camera's entities (`discovery.ts`) and one subscription to
 * every command topic, whose commands go through `camera.control()` (the same
 * path and validation as `/control`). Each camera's newest JPEG goes to its
 * image topic at most `fps` times a second (the one delivery policy, a client
 * that is ready when no publish is in flight), its state once a second, and a
 * control's state whenever it changes. Losing the broker never disturbs the
 * cameras: MQTT.js reconnects by itself.
 */
import { hostname } from 'node:os';
import { connect, type MqttClient } from 'mqtt';
import type { CameraHandle } from '../../camera/handle.js';
import type { Logger } from '../../log.js';
import { FrameDelivery } from '../../stream/delivery.js';
import type { MqttAddress } from './address.js';
import {
  availabilityTopic,
  type CameraTopics,
  cameraTopics,
  commandFilter,
  commandValue,
  controlState,
  type DiscoveryMessage,
  discoveryMessages,
  OFFLINE,
  ONLINE,
  parseCommandTopic,
} from './discovery.js';

/** State (and discovery, when the schema changed) is published this often. */
const STATE_PERIOD_MS = 1000;
/** An unchanged picture is published again after this long (Home Assistant shows the last one anyway). */
const STILL_REPUBLISH_MS = 60_000;
/** How long `stop()` waits for `offline` to reach the broker. */
const FAREWELL_MS = 300;

export interface HomeAssistantOptions {
  readonly address: MqttAddress;
  readonly site: string;
  /** JPEGs per second on each image topic. */
  readonly fps: number;
  readonly version: string;
}

interface Published {
  readonly camera: CameraHandle;
  readonly topics: CameraTopics;
  delivery?: FrameDelivery;
  /** Discovery messages last sent, by topic. */
  discovery: Map<string, string>;
  /** Control states last sent, by control. */
  states: Map<string, string>;
}

export class HomeAssistantSink {
  readonly #options: HomeAssistantOptions;
  readonly #log: Logger;
  readonly #availability: string;
  readonly #cameras: Published[];
  #client: MqttClient | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #imageInFlight = new Set<string>();

  constructor(cameras: readonly CameraHandle[], options: HomeAssistantOptions, logger: Logger) {
    this.#options = options;
    this.#log = logger.child('mqtt');
    const gateway = hostname().replace(/[^A-Za-z0-9_-]/g, '_') || 'gateway';
    this.#availability = availabilityTopic(options.site, gateway);
    this.#cameras = cameras.map((camera) => ({
      camera,
      topics: cameraTopics(options.site, camera.name),
      discovery: new Map(),
      states: new Map(),
    }));
  }

  /** The availability topic (`online` / `offline`). */
  get availability(): string {
    return this.#availability;
  }

  start(): void {
    const a = this.#options.address;
    const client = connect(a.url, {
      ...(a.username !== undefined ? { username: a.username, password: a.password ?? '' } : {}),
      clientId: `cam-gateway-${hostname()}-${process.pid}`,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
      will: { topic: this.#availability, payload: Buffer.from(OFFLINE), retain: true, qos: 1 },
    });
    this.#client = client;
    let complained = false;
    client.on('connect', () => {
      complained = false;
      this.#log.info(`connected to ${a.url}`);
      client.publish(this.#availability, ONLINE, { retain: true, qos: 1 });
      for (const p of this.#cameras) p.discovery.clear();
      // A publish cut off by the disconnect may never call back: nothing is in flight on a new connection.
      this.#imageInFlight.clear();
      this.#tick();
      client.subscribe(commandFilter(this.#options.site), { qos: 1 });
    });
    client.on('error', (err) => {
      if (!complained) this.#log.warn(`${a.url}: ${err.message} (retrying; the cameras are not affected)`);
      complained = true;
    });
    client.on('offline', () => {
      if (!complained) this.#log.warn(`lost ${a.url}; reconnecting`);
      complained = true;
    });
    client.on('message', (topic, payload) => this.#onCommand(topic, payload.toString('utf8')));
    for (const p of this.#cameras) this.#startImages(p, client);
    this.#timer = setInterval(() => this.#tick(), STATE_PERIOD_MS);
  }

  /** Say `offline` (retained), stop publishing, disconnect. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    for (const p of this.#cameras) p.delivery?.stop();
    const client = this.#client;
    if (!client) return;
    if (client.connected) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        client.publishAsync(this.#availability, OFFLINE, { retain: true, qos: 1 }).catch(() => {}),
        new Promise((r) => (timer = setTimeout(r, FAREWELL_MS))),
      ]);
      clearTimeout(timer);
    }
    await client.endAsync(true).catch(() => {});
  }

  #startImages(p: Published, client: MqttClient): void {
    const name = p.camera.name;
    const delivery = new FrameDelivery(
      p.camera.ring,
      { fpsCap: this.#options.fps, resendMs: STILL_REPUBLISH_MS, online: () => p.camera.online },
      {
        ready: () => client.connected && !this.#imageInFlight.has(name),
        send: (what) => {
          if (what.kind !== 'frame') return;
          this.#imageInFlight.add(name);
          client.publish(p.topics.image, what.entry.frame, { qos: 0 }, () => {
            this.#imageInFlight.delete(name);
            delivery.wake();
          });
        },
        end: () => {},
        fail: (err) => this.#log.warn(`${name}: images stopped: ${err.message}`),
      },
    );
    p.delivery = delivery;
    client.on('connect', () => delivery.wake());
    delivery.start();
  }

  /** Once a second: each camera's state, its controls' states, and its discovery when the schema changed. */
  #tick(): void {
    const client = this.#client;
    if (!client?.connected) return;
    for (const p of this.#cameras) {
      const status = p.camera.status();
      const controls = p.camera.controls();
      this.#discover(
        client,
        p,
        discoveryMessages(
          { name: p.camera.name, model: status.detectedProtocol ?? status.protocol, controls },
          { site: this.#options.site, availability: this.#availability, version: this.#options.version },
        ),
      );
      client.publish(
        p.topics.state,
        JSON.stringify({
          online: status.online,
          fps: status.fps.received,
          crcErrors: status.crcErrors,
          frames: status.frames,
        }),
        { retain: true },
      );
      for (const spec of controls) {
        const state = controlState(spec);
        if (state === undefined || p.states.get(spec.name) === state) continue;
        p.states.set(spec.name, state);
        client.publish(p.topics.controlState(spec.name), state, { retain: true });
      }
    }
  }

  /** Publish what changed; remove (empty retained payload) entities that are gone. */
  #discover(client: MqttClient, p: Published, messages: readonly DiscoveryMessage[]): void {
    const now = new Map(messages.map((m) => [m.topic, m.payload]));
    for (const [topic, payload] of now) {
      if (p.discovery.get(topic) !== payload) client.publish(topic, payload, { retain: true, qos: 1 });
    }
    for (const topic of p.discovery.keys()) {
      if (!now.has(topic)) client.publish(topic, '', { retain: true, qos: 1 });
    }
    p.discovery = now;
  }

  #onCommand(topic: string, payload: string): void {
    const target = parseCommandTopic(topic, this.#options.site);
    const p = target && this.#cameras.find((c) => c.camera.name === target.camera);
    if (!target || !p) return;
    const spec = p.camera.controls().find((s) => s.name === target.control);
    const value = spec ? commandValue(spec, payload) : payload;
    p.camera.control(target.control, value).then(
      (result) => {
        if (!result.ok) this.#log.warn(`${p.camera.name}: ${target.control} ${payload}: ${result.reply}`);
        // The camera's new value (or the old one, refused) goes out with the next state.
        p.states.delete(target.control);
        if (spec?.kind === 'bool' || spec?.kind === 'int' || spec?.kind === 'enum') this.#tick();
      },
      (err: unknown) => {
        this.#log.warn(
          `${p.camera.name}: ${target.control} ${payload}: ${err instanceof Error ? err.message : String(err)}`,
        );
        p.states.delete(target.control);
        this.#tick();
      },
    );
  }
}
