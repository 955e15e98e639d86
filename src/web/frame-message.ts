/**
 * The viewer socket's messages as the page reads and writes them (the gateway
 * builds frames in `src/stream/viewer-message.ts`; a test round-trips one
 * through the other). A frame is a binary message: a little-endian header
 * whose first two bytes give its length, then the JPEG. Text messages are JSON.
 * No DOM here: the tests run it in Node.
 */

/** One picture from the gateway. */
export interface FrameMessage {
  /** `frame`: the camera's picture; `placeholder`: the gateway's NO SIGNAL card; `other`: a kind this page does not know (not drawn, still acknowledged). */
  readonly kind: 'frame' | 'placeholder' | 'other';
  /** The camera's position in the gateway's camera list (and the page's config). */
  readonly camera: number;
  /** The ring index (`X-Frame-Index`); 0 for a placeholder. */
  readonly index: number;
  /** Host receive time, epoch seconds (`X-Timestamp`); 0 for a placeholder. */
  readonly timestamp: number;
  /** The JPEG (a view into the message). */
  readonly jpeg: Uint8Array;
}

/** The fields of the 24-byte header this page reads (a longer header is fine: the JPEG starts at its length). */
const MIN_HEADER_BYTES = 24;
const KINDS: Readonly<Record<number, FrameMessage['kind']>> = { 1: 'frame', 2: 'placeholder' };

/** A binary message from the gateway; `undefined` when it is too short to be one. */
export function parseFrameMessage(data: ArrayBuffer): FrameMessage | undefined {
  if (data.byteLength < MIN_HEADER_BYTES) return undefined;
  const view = new DataView(data);
  const headerBytes = view.getUint16(0, true);
  if (headerBytes < MIN_HEADER_BYTES || headerBytes > data.byteLength) return undefined;
  return {
    kind: KINDS[view.getUint8(2)] ?? 'other',
    camera: view.getUint32(4, true),
    index: Number(view.getBigUint64(8, true)),
    timestamp: view.getFloat64(16, true),
    jpeg: new Uint8Array(data, headerBytes),
  };
}

/** A text message from the gateway. */
export type ServerText =
  | { readonly type: 'status'; readonly status: unknown }
  | { readonly type: 'error'; readonly error: string }
  | { readonly type: 'other' };

export function parseServerText(text: string): ServerText {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { type: 'other' };
  }
  const fields = (typeof value === 'object' && value !== null ? value : {}) as Readonly<
    Record<string, unknown>
  >;
  if (fields.type === 'status') return { type: 'status', status: fields.status };
  if (fields.type === 'error' && typeof fields.error === 'string')
    return { type: 'error', error: fields.error };
  return { type: 'other' };
}

/** "Send me these cameras' frames" (the whole set, by name). */
export function watchMessage(cameras: readonly string[]): string {
  return JSON.stringify({ type: 'watch', cameras });
}

/** "I have drawn camera N's frame: send the next." */
export function ackMessage(camera: number): string {
  return JSON.stringify({ type: 'ack', camera });
}
