/**
 * Home Assistant MQTT discovery for one camera, as pure functions: the topics a
 * camera uses, the retained config message of each entity (a `camera` for the
 * JPEGs, a `binary_sensor` for online, `sensor`s for fps and CRC errors, and
 * one entity per control of the camera's published schema: `int` → `number`,
 * `bool` → `switch`, `enum` → `select`, `action` → `button`), the state text of
 * a control's value and the control value of a command payload. Field names
 * follow Home Assistant's MQTT camera, sensor, binary sensor, number, switch,
 * select and button platforms.
 */
import type { ControlSpec } from '../../control/schema.js';

export const DISCOVERY_PREFIX = 'homeassistant';
/** What the availability topic says. */
export const ONLINE = 'online';
export const OFFLINE = 'offline';
const ON = 'ON';
const OFF = 'OFF';
const PRESS = 'PRESS';

/** The topics of one camera (under `camgw/<site>/<camera>/`). */
export interface CameraTopics {
  /** Raw JPEG bytes, at `--mqtt-fps`. */
  readonly image: string;
  /** JSON `{online, fps, crcErrors, frames}`, once a second. */
  readonly state: string;
  controlState(control: string): string;
  controlSet(control: string): string;
}

export function cameraTopics(site: string, camera: string): CameraTopics {
  const base = `camgw/${site}/${camera}`;
  return {
    image: `${base}/image`,
    state: `${base}/state`,
    controlState: (control) => `${base}/${control}/state`,
    controlSet: (control) => `${base}/${control}/set`,
  };
}

/** Every command topic of a site (one subscription), and the camera and control a topic names. */
export function commandFilter(site: string): string {
  return `camgw/${site}/+/+/set`;
}

export function parseCommandTopic(
  topic: string,
  site: string,
): { camera: string; control: string } | undefined {
  const p = topic.split('/');
  if (p.length !== 5 || p[0] !== 'camgw' || p[1] !== site || p[4] !== 'set') return undefined;
  return { camera: p[2]!, control: p[3]! };
}

/** The gateway's availability topic: `online` while connected, `offline` (the last will, or said on stop). */
export function availabilityTopic(site: string, gateway: string): string {
  return `camgw/${site}/gateways/${gateway}/availability`;
}

export interface DiscoveryContext {
  readonly site: string;
  /** The availability topic of the gateway publishing the camera. */
  readonly availability: string;
  readonly version: string;
}

export interface DiscoveryCamera {
  readonly name: string;
  /** Shown as the device's model. */
  readonly model: string;
  readonly controls: readonly ControlSpec[];
}

export interface DiscoveryMessage {
  readonly topic: string;
  /** JSON of the entity's config; '' removes the entity. */
  readonly payload: string;
}

type Component = 'camera' | 'binary_sensor' | 'sensor' | 'number' | 'switch' | 'select' | 'button';

const COMPONENT: Readonly<Record<ControlSpec['kind'], Component>> = {
  int: 'number',
  bool: 'switch',
  enum: 'select',
  action: 'button',
};

/** The discovery topic of one entity of a camera. */
export function configTopic(site: string, camera: string, component: Component, object: string): string {
  return `${DISCOVERY_PREFIX}/${component}/camgw_${site}_${camera}/${object}/config`;
}

/** The config messages of every entity of `camera`, in a stable order. */
export function discoveryMessages(camera: DiscoveryCamera, ctx: DiscoveryContext): DiscoveryMessage[] {
  const topics = cameraTopics(ctx.site, camera.name);
  const id = `camgw_${ctx.site}_${camera.name}`;
  const common = (object: string, name: string): Record<string, unknown> => ({
    name,
    unique_id: `${id}_${object}`,
    availability_topic: ctx.availability,
    payload_available: ONLINE,
    payload_not_available: OFFLINE,
    device: {
      identifiers: [id],
      name: camera.name,
      manufacturer: 'cam-gateway',
      model: camera.model,
      sw_version: ctx.version,
    },
  });
  // `default_entity_id` (not the deprecated `object_id`) suggests the entity id: `camera.camgw_lab_door_camera`.
  const message = (
    component: Component,
    object: string,
    config: Record<string, unknown>,
  ): DiscoveryMessage => ({
    topic: configTopic(ctx.site, camera.name, component, object),
    payload: JSON.stringify({ ...config, default_entity_id: `${component}.${id}_${object}` }),
  });
  const out = [
    message('camera', 'camera', { ...common('camera', 'Camera'), topic: topics.image }),
    message('binary_sensor', 'online', {
      ...common('online', 'Online'),
      state_topic: topics.state,
      value_template: "{{ 'ON' if value_json.online else 'OFF' }}",
      payload_on: ON,
      payload_off: OFF,
      device_class: 'connectivity',
    }),
    message('sensor', 'fps', {
      ...common('fps', 'Frames per second'),
      state_topic: topics.state,
      value_template: '{{ value_json.fps }}',
      unit_of_measurement: 'fps',
      state_class: 'measurement',
    }),
    message('sensor', 'crc_errors', {
      ...common('crc_errors', 'CRC errors'),
      state_topic: topics.state,
      value_template: '{{ value_json.crcErrors }}',
      state_class: 'total_increasing',
      entity_category: 'diagnostic',
    }),
  ];
  for (const spec of camera.controls) out.push(controlMessage(spec, topics, common, message));
  return out;
}

function controlMessage(
  spec: ControlSpec,
  topics: CameraTopics,
  common: (object: string, name: string) => Record<string, unknown>,
  message: (component: Component, object: string, config: Record<string, unknown>) => DiscoveryMessage,
): DiscoveryMessage {
  const base = { ...common(spec.name, spec.label), command_topic: topics.controlSet(spec.name) };
  switch (spec.kind) {
    case 'int':
      return message('number', spec.name, {
        ...base,
        state_topic: topics.controlState(spec.name),
        min: spec.min,
        max: spec.max,
        step: 1,
        mode: 'slider',
      });
    case 'bool':
      return message('switch', spec.name, {
        ...base,
        state_topic: topics.controlState(spec.name),
        payload_on: ON,
        payload_off: OFF,
        state_on: ON,
        state_off: OFF,
      });
    case 'enum':
      return message('select', spec.name, {
        ...base,
        state_topic: topics.controlState(spec.name),
        options: spec.choices.map((c) => c.value),
      });
    case 'action':
      return message('button', spec.name, { ...base, payload_press: PRESS });
  }
}

/** The component each control kind becomes (for removing entities whose control went away). */
export function controlComponent(spec: ControlSpec): Component {
  return COMPONENT[spec.kind];
}

/** The state payload of a control's current value, or undefined when it has none (actions, unknown values). */
export function controlState(spec: ControlSpec): string | undefined {
  switch (spec.kind) {
    case 'int':
      return spec.value === undefined ? undefined : String(spec.value);
    case 'bool':
      return spec.value === undefined ? undefined : spec.value ? ON : OFF;
    case 'enum':
      return spec.value;
    case 'action':
      return undefined;
  }
}

/** The `/control` value a command payload stands for (the camera's own validation then applies). */
export function commandValue(spec: ControlSpec, payload: string): string | undefined {
  switch (spec.kind) {
    case 'bool':
      return payload.trim().toUpperCase() === ON ? '1' : payload.trim().toUpperCase() === OFF ? '0' : payload;
    case 'action':
      return undefined;
    default:
      return payload;
  }
}
