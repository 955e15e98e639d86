/**
 * Builds device byte streams exactly as the ArduCAM Mini, Arducam Mega and OpenIris
 * firmwares write them. Used by `make-device-fixtures.ts` to record `fixtures/streams/`
 * and by the protocol tests to frame arbitrary JPEGs. Deterministic: no clocks, no randomness
 * except from the seeded generator passed in.
 */

/** `Serial.println(text)`: the text and CR LF. */
export function println(text: string): Buffer {
  return Buffer.from(`${text}\r\n`, 'latin1');
}

/** An ArduCAM acknowledgement line as the 2017+ sketches print it: `ACK CMD <text> END`. */
export function ackLine(text: string): Buffer {
  return println(`ACK CMD ${text} END`);
}

/** The FIFO length the sketch prints: the FIFO holds a little more than the JPEG (it stops at FF D9). */
export function fifoLength(jpeg: Uint8Array): number {
  return jpeg.length + 8;
}

/**
 * ArduCAM single shot (command 0x10), `read_fifo_burst`: capture-done line, FIFO length,
 * `ACK IMG END`, JPEG with nothing after it. `sketch2016`: no `END` suffix, no `ACK IMG END`.
 */
export function arducamCapture(jpeg: Uint8Array, sketch2016 = false): Buffer {
  if (sketch2016) {
    return Buffer.concat([println('ACK CMD CAM Capture Done!'), println(String(fifoLength(jpeg))), jpeg]);
  }
  return Buffer.concat([
    ackLine('CAM Capture Done.'),
    println(String(fifoLength(jpeg))),
    println('ACK IMG END'),
    jpeg,
  ]);
}

/** One ArduCAM streaming frame (command 0x20): `ACK IMG END\r\n` + JPEG (2016 sketch: the JPEG alone). */
export function arducamStreamFrame(jpeg: Uint8Array, sketch2016 = false): Buffer {
  return sketch2016 ? Buffer.from(jpeg) : Buffer.concat([println('ACK IMG END'), jpeg]);
}

function u32le(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}

/** Arducam Mega current framing, image: `FF AA 01 <len> <fmt> <JPEG> FF BB`; fmt = resolution << 4 | 1. */
export function megaImage(jpeg: Uint8Array, resolution = 1): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xaa, 0x01]),
    u32le(jpeg.length),
    Buffer.from([((resolution & 0x0f) << 4) | 0x01]),
    jpeg,
    Buffer.from([0xff, 0xbb]),
  ]);
}

/** Arducam Mega current framing, any other packet: `FF AA <type> <len> <payload> FF BB`. */
export function megaPacket(type: number, payload: Uint8Array, declaredLength = payload.length): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xaa, type]),
    u32le(declaredLength),
    payload,
    Buffer.from([0xff, 0xbb]),
  ]);
}

/** `send_data_pack(type, msg)`: the message, CR LF, length = strlen + 2. */
export function megaText(type: number, msg: string): Buffer {
  return megaPacket(type, Buffer.from(`${msg}\r\n`, 'latin1'));
}

/** `stop_preivew()`: a bare `FF BB` (ends whatever was being sent), then the type 06 `streamoff` packet. */
export function megaStreamOff(): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xbb]), megaPacket(0x06, Buffer.from('streamoff', 'latin1'))]);
}

/** Arducam Mega legacy framing (before March 2023): `55 AA <format> <len> <JPEG> 55 BB`, format 1 = JPEG. */
export function megaLegacyImage(jpeg: Uint8Array): Buffer {
  return Buffer.concat([
    Buffer.from([0x55, 0xaa, 0x01]),
    u32le(jpeg.length),
    jpeg,
    Buffer.from([0x55, 0xbb]),
  ]);
}

/** OpenIris `send_frame`: `FF A0 FF A1 <u16 LE len> <JPEG>` (the length keeps only 16 bits). */
export function openIrisFrame(jpeg: Uint8Array): Buffer {
  const head = Buffer.from([0xff, 0xa0, 0xff, 0xa1, jpeg.length & 0xff, (jpeg.length >> 8) & 0xff]);
  return Buffer.concat([head, jpeg]);
}

/**
 * What a UART set to `receiveBaud` reads when the line carries `bytes` sent at
 * `sendBaud` (8N1, back to back): the garbage an ESP32 ROM boot log at 115200 turns
 * into on a port opened at 921600 or 3 000 000. The receiver samples each bit in its
 * middle; after a framing error it waits for the line to go idle before the next start bit.
 */
export function uartMismatch(bytes: Uint8Array, sendBaud: number, receiveBaud: number): Buffer {
  const bitsSent = bytes.length * 10;
  const levelAt = (t: number): number => {
    const bit = Math.floor(t * sendBaud);
    if (bit < 0 || bit >= bitsSent) return 1;
    const within = bit % 10;
    if (within === 0) return 0;
    if (within === 9) return 1;
    return (bytes[Math.floor(bit / 10)]! >> (within - 1)) & 1;
  };
  const end = bitsSent / sendBaud;
  const step = 1 / (receiveBaud * 16);
  const out: number[] = [];
  let t = 0;
  let armed = true;
  while (t < end) {
    const level = levelAt(t);
    if (!armed) {
      if (level === 1) armed = true;
      t += step;
      continue;
    }
    if (level === 1) {
      t += step;
      continue;
    }
    let value = 0;
    for (let k = 0; k < 8; k++) value |= levelAt(t + (1.5 + k) / receiveBaud) << k;
    out.push(value);
    const stopOk = levelAt(t + 9.5 / receiveBaud) === 1;
    t += (stopOk ? 10 : 9.5) / receiveBaud;
    armed = stopOk;
  }
  return Buffer.from(out);
}

/** Seeded noise bytes (line glitches, a partial frame from before the port was opened). */
export function noise(rand: () => number, length: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = Math.floor(rand() * 256);
  return b;
}
