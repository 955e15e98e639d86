import { describe, expect, it } from 'vitest';
import {
  actionControl,
  boolControl,
  type ControlSpec,
  enumControl,
  intControl,
} from '../../../src/control/schema.js';
import {
  commandValue,
  controlState,
  discoveryMessages,
  parseCommandTopic,
} from '../../../src/sinks/mqtt/discovery.js';

const controls: ControlSpec[] = [
  intControl('quality', 'JPEG quality', 4, 63).spec,
  { ...boolControl('hmirror', 'Mirror').spec, value: true } as ControlSpec,
  { ...enumControl('framesize', 'Resolution', ['QVGA', 'VGA']).spec, value: 'VGA' } as ControlSpec,
  actionControl('snapshot', 'Take one picture').spec,
];
const ctx = { site: 'lab', availability: 'camgw/lab/gateways/pi/availability', version: '1.2.3' };

describe('Home Assistant discovery', () => {
  const messages = discoveryMessages({ name: 'door', model: 'camf', controls }, ctx);
  const byTopic = new Map(messages.map((m) => [m.topic, JSON.parse(m.payload) as Record<string, unknown>]));

  it('one camera, online/fps/CRC sensors and one entity per control, each kind on its platform', () => {
    expect([...byTopic.keys()]).toEqual([
      'homeassistant/camera/camgw_lab_door/camera/config',
      'homeassistant/binary_sensor/camgw_lab_door/online/config',
      'homeassistant/sensor/camgw_lab_door/fps/config',
      'homeassistant/sensor/camgw_lab_door/crc_errors/config',
      'homeassistant/number/camgw_lab_door/quality/config',
      'homeassistant/switch/camgw_lab_door/hmirror/config',
      'homeassistant/select/camgw_lab_door/framesize/config',
      'homeassistant/button/camgw_lab_door/snapshot/config',
    ]);
  });

  it('each entity names its device, its availability and the fields its platform requires', () => {
    for (const c of byTopic.values()) {
      expect(c).toMatchObject({
        availability_topic: ctx.availability,
        device: { identifiers: ['camgw_lab_door'], name: 'door', model: 'camf', sw_version: '1.2.3' },
      });
      expect(c.unique_id).toMatch(/^camgw_lab_door_[a-z_]+$/);
      expect(c.default_entity_id).toMatch(/^[a-z_]+\.camgw_lab_door_[a-z_]+$/);
      expect(c).not.toHaveProperty('object_id'); // deprecated by Home Assistant
    }
    const get = (component: string, object: string) =>
      byTopic.get(`homeassistant/${component}/camgw_lab_door/${object}/config`)!;
    expect(get('camera', 'camera').topic).toBe('camgw/lab/door/image');
    expect(get('number', 'quality')).toMatchObject({
      command_topic: 'camgw/lab/door/quality/set',
      min: 4,
      max: 63,
      step: 1,
    });
    expect(get('select', 'framesize')).toMatchObject({
      command_topic: 'camgw/lab/door/framesize/set',
      options: ['QVGA', 'VGA'],
    });
    expect(get('switch', 'hmirror')).toMatchObject({
      state_topic: 'camgw/lab/door/hmirror/state',
      payload_on: 'ON',
    });
    expect(get('button', 'snapshot')).toMatchObject({ command_topic: 'camgw/lab/door/snapshot/set' });
    expect(get('sensor', 'fps')).toMatchObject({
      state_topic: 'camgw/lab/door/state',
      value_template: '{{ value_json.fps }}',
    });
  });

  it('states and commands speak each platform’s words; the camera validates the rest', () => {
    expect(controls.map(controlState)).toEqual([undefined, 'ON', 'VGA', undefined]);
    expect(commandValue(controls[1]!, 'OFF')).toBe('0');
    expect(commandValue(controls[1]!, 'ON')).toBe('1');
    expect(commandValue(controls[0]!, '12')).toBe('12');
    expect(commandValue(controls[3]!, 'PRESS')).toBeUndefined();
    expect(parseCommandTopic('camgw/lab/door/quality/set', 'lab')).toEqual({
      camera: 'door',
      control: 'quality',
    });
    expect(parseCommandTopic('camgw/home/door/quality/set', 'lab')).toBeUndefined();
  });
});
