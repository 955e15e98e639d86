/**
 * A strict, incremental `multipart/x-mixed-replace` parser for tests: feed it
 * the raw response body in any chunking; it returns each part once the part's
 * body AND the boundary right after it have arrived, and throws a
 * `MultipartError` on anything a strict client would reject (missing initial
 * boundary, malformed header line, wrong Content-Length, junk after a body).
 */

export interface MultipartPart {
  /** Header names lower-cased. */
  headers: Record<string, string>;
  body: Buffer;
}

export class MultipartError extends Error {
  override name = 'MultipartError';
}

export interface MultipartParserOptions {
  /** Reject parts without Content-Length (default true; false for uStreamer's advance-headers mode). */
  requireContentLength?: boolean;
}

type State = 'initial' | 'headers' | 'body' | 'end';

const CRLF = Buffer.from('\r\n');
const HEADER_LINE = /^([A-Za-z0-9-]+): ?(.*)$/;

export class MultipartParser {
  readonly #delimiter: Buffer;
  readonly #requireLength: boolean;
  #buf: Buffer = Buffer.alloc(0);
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #state: State = 'initial';
  #headers: Record<string, string> = {};
  /** Parts completed so far. */
  parts = 0;

  constructor(
    readonly boundary = 'frame',
    options: MultipartParserOptions = {},
  ) {
    this.#delimiter = Buffer.from(`\r\n--${boundary}`);
    this.#requireLength = options.requireContentLength ?? true;
  }

  /** Headers of the part being received, once its blank line arrived (advance-headers shows them early). */
  get pendingHeaders(): Record<string, string> | undefined {
    return this.#state === 'body' ? { ...this.#headers } : undefined;
  }

  /** True after a closing `--boundary--`. */
  get ended(): boolean {
    return this.#state === 'end';
  }

  /** Bytes held waiting for the rest of a part. */
  get bufferedBytes(): number {
    return this.#buf.length + this.#pendingBytes;
  }

  push(chunk: Uint8Array): MultipartPart[] {
    if (this.#state === 'end') {
      if (chunk.length > 0) throw new MultipartError(`${chunk.length} bytes after the closing boundary`);
      return [];
    }
    this.#pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.#pendingBytes += chunk.byteLength;
    // Inside a body of known length: only join the pieces once the whole part can be there (no O(n²) copying).
    if (this.#buf.length + this.#pendingBytes < this.#needed()) return [];
    this.#buf = Buffer.concat([this.#buf, ...this.#pending]);
    this.#pending = [];
    this.#pendingBytes = 0;
    const out: MultipartPart[] = [];
    for (;;) {
      const part = this.#step();
      if (part === 'more') break;
      if (part) out.push(part);
    }
    return out;
  }

  /** Bytes needed before the next step can make progress (0: unknown). */
  #needed(): number {
    const length = this.#headers['content-length'];
    if (this.#state !== 'body' || length === undefined || !/^\d+$/.test(length)) return 0;
    return Number(length) + this.#delimiter.length + 2;
  }

  /** One state transition: a finished part, null for progress without a part, 'more' when bytes are missing. */
  #step(): MultipartPart | null | 'more' {
    switch (this.#state) {
      case 'initial': {
        const first = Buffer.from(`--${this.boundary}\r\n`);
        const n = Math.min(first.length, this.#buf.length);
        if (!this.#buf.subarray(0, n).equals(first.subarray(0, n))) {
          throw new MultipartError(
            `body must start with "--${this.boundary}\\r\\n", got ${JSON.stringify(this.#buf.subarray(0, 40).toString('latin1'))}`,
          );
        }
        if (this.#buf.length < first.length) return 'more';
        this.#buf = this.#buf.subarray(first.length);
        this.#state = 'headers';
        this.#headers = {};
        return null;
      }
      case 'headers': {
        const eol = this.#buf.indexOf(CRLF);
        if (eol < 0) {
          if (this.#buf.length > 8192) throw new MultipartError('part header line longer than 8 KiB');
          return 'more';
        }
        const line = this.#buf.subarray(0, eol).toString('latin1');
        this.#buf = this.#buf.subarray(eol + 2);
        if (line === '') {
          if (Object.keys(this.#headers).length === 0) throw new MultipartError('part has no headers');
          if (this.#requireLength && this.#headers['content-length'] === undefined) {
            throw new MultipartError('part has no Content-Length header');
          }
          this.#state = 'body';
          return null;
        }
        const m = HEADER_LINE.exec(line);
        if (!m) throw new MultipartError(`malformed part header line ${JSON.stringify(line)}`);
        this.#headers[m[1]!.toLowerCase()] = m[2]!;
        return null;
      }
      case 'body': {
        const lengthHeader = this.#headers['content-length'];
        let bodyEnd: number;
        if (lengthHeader !== undefined) {
          if (!/^\d+$/.test(lengthHeader)) throw new MultipartError(`bad Content-Length "${lengthHeader}"`);
          bodyEnd = Number(lengthHeader);
          if (this.#buf.length < bodyEnd + this.#delimiter.length + 2) return 'more';
          const after = this.#buf.subarray(bodyEnd, bodyEnd + this.#delimiter.length);
          if (!after.equals(this.#delimiter)) {
            throw new MultipartError(
              `after ${bodyEnd} body bytes expected "\\r\\n--${this.boundary}", got ${JSON.stringify(after.toString('latin1'))}`,
            );
          }
        } else {
          bodyEnd = this.#buf.indexOf(this.#delimiter);
          if (bodyEnd < 0 || this.#buf.length < bodyEnd + this.#delimiter.length + 2) return 'more';
        }
        const tail = this.#buf.subarray(
          bodyEnd + this.#delimiter.length,
          bodyEnd + this.#delimiter.length + 2,
        );
        const body = Buffer.from(this.#buf.subarray(0, bodyEnd));
        const part: MultipartPart = { headers: this.#headers, body };
        this.parts++;
        this.#buf = this.#buf.subarray(bodyEnd + this.#delimiter.length + 2);
        this.#headers = {};
        if (tail.equals(CRLF)) {
          this.#state = 'headers';
        } else if (tail.toString('latin1') === '--') {
          this.#state = 'end';
        } else {
          throw new MultipartError(`boundary followed by ${JSON.stringify(tail.toString('latin1'))}`);
        }
        return part;
      }
      case 'end':
        if (this.#buf.length > 0) throw new MultipartError('bytes after the closing boundary');
        return 'more';
    }
  }
}
