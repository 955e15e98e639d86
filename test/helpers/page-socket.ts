/**
 * A viewer-page WebSocket client for tests: the real `ws` client library on a real
 * socket, reading frames with the page's own decoder (`src/web/frame-message.ts`)
 * and sending what the page sends (`watch`, `ack`). It keeps everything it got, so
 * tests wait on conditions over it.
 */
import type { ClientRequestArgs } from 'node:http';
import WebSocket, { type ClientOptions } from 'ws';
import {
  ackMessage,
  type FrameMessage,
  parseFrameMessage,
  watchMessage,
} from '../../src/web/frame-message.js';
import { waitFor } from './http.js';

/** The `ws` client's options, and those of the HTTP request under it (`auth`, headers). */
export type PageSocketOptions = ClientOptions & ClientRequestArgs;

export interface PageSocketText {
  readonly type: string;
  readonly [field: string]: unknown;
}

export class PageSocket {
  readonly ws: WebSocket;
  readonly frames: FrameMessage[] = [];
  readonly texts: PageSocketText[] = [];
  /** Close code and reason once closed. */
  closed: { code: number; reason: string } | undefined;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        // A copy of its own: the page gets an ArrayBuffer per message too.
        const bytes = new Uint8Array(data);
        const frame = parseFrameMessage(bytes.buffer);
        if (frame) this.frames.push(frame);
      } else {
        this.texts.push(JSON.parse(data.toString()) as PageSocketText);
      }
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString() };
    });
  }

  /** Connect to `ws` under `baseUrl` (an `http://` URL); rejects with the HTTP status if the handshake is refused. */
  static open(baseUrl: string, options: PageSocketOptions = {}, path = '/ws'): Promise<PageSocket> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}${path}`, options);
    const client = new PageSocket(ws);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          reject(
            Object.assign(new Error(`handshake refused: ${res.statusCode}`), {
              status: res.statusCode,
              headers: res.headers,
              body: Buffer.concat(chunks).toString(),
            }),
          ),
        );
      });
      ws.once('error', reject);
    });
  }

  watch(names: readonly string[]): void {
    this.ws.send(watchMessage(names));
  }

  ack(camera: number): void {
    this.ws.send(ackMessage(camera));
  }

  /** Frames of one camera received so far. */
  framesOf(camera: number): FrameMessage[] {
    return this.frames.filter((f) => f.camera === camera);
  }

  /** Text messages of one type received so far. */
  textsOf(type: string): PageSocketText[] {
    return this.texts.filter((t) => t.type === type);
  }

  async waitForFrames(camera: number, n: number, timeoutMs = 5000): Promise<FrameMessage> {
    await waitFor(() => this.framesOf(camera).length >= n, `${n} frames of camera ${camera}`, timeoutMs);
    return this.framesOf(camera)[n - 1]!;
  }

  async waitForText(type: string, n = 1, timeoutMs = 5000): Promise<PageSocketText> {
    await waitFor(() => this.textsOf(type).length >= n, `${n} "${type}" messages`, timeoutMs);
    return this.textsOf(type)[n - 1]!;
  }

  async waitForClose(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    await waitFor(() => this.closed !== undefined, 'the socket to close', timeoutMs);
    return this.closed!;
  }

  close(): void {
    this.ws.terminate();
  }
}
