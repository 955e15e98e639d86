// PLACEHOLDER: replaced by the real decoder (issue 2). Skips every byte.
import {
  type Decoder,
  type DecoderOptions,
  type DecoderStats,
  type DeviceEvent,
  emptyStats,
} from './types.js';

export class OpenIrisDecoder implements Decoder {
  readonly protocol = 'openiris' as const;
  readonly stats: DecoderStats = emptyStats();
  constructor(_options: DecoderOptions = {}) {}
  push(chunk: Uint8Array): DeviceEvent[] {
    this.stats.bytesIn += chunk.length;
    this.stats.bytesSkipped += chunk.length;
    return [];
  }
  end(): DeviceEvent[] {
    return [];
  }
}
