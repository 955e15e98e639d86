/** CAMF: commands are type 10 frames `name=value`; the answer is the next type 04 reply. */
import { CamfEncoder } from '../protocol/camf.js';
import type { DeviceEvent } from '../protocol/types.js';
import type { ControlAdapter, PreparedCommand } from './adapter.js';
import { CAMERA_WEB_SERVER_VARIABLES, type ControlVariable } from './vocabulary.js';

export class CamfControlAdapter implements ControlAdapter {
  readonly supported: readonly string[];
  readonly silenceIsOk = false;
  readonly #vars: ReadonlyMap<string, ControlVariable>;
  readonly #encoder: CamfEncoder;

  constructor(encoder: CamfEncoder = new CamfEncoder()) {
    this.#encoder = encoder;
    this.#vars = new Map(CAMERA_WEB_SERVER_VARIABLES.map((v) => [v.name, v]));
    this.supported = [...this.#vars.keys()];
  }

  prepare(variable: string, value: string | undefined): PreparedCommand {
    const canonical = this.#vars.get(variable)!.parse(value);
    const text = canonical === undefined ? variable : `${variable}=${canonical}`;
    return { bytes: this.#encoder.command(variable, canonical), sent: text };
  }

  isOk(reply: string): boolean {
    return reply === 'ok' || reply.startsWith('ok ');
  }

  match(event: DeviceEvent): string | undefined {
    return event.type === 'reply' ? event.text : undefined;
  }
}
