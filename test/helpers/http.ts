/**
 * Test helpers over real sockets: start the gateway on port 0, read an MJPEG
 * response from raw `net` bytes (so nothing between us and the wire hides a
 * framing mistake), open clients that never read, and poll a condition with a
 * deadline instead of sleeping.
 */
import { request as httpRequestRaw, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach } from 'vitest';
import { type AppOptions, createApp, type GatewayApp } from '../../src/http/app.js';
import { listen, type RunningServer } from '../../src/http/server.js';
import { MultipartParser, type MultipartPart } from './multipart.js';

export interface TestGateway {
  readonly gateway: GatewayApp;
  readonly server: RunningServer;
  readonly url: string;
  /** `gateway.close()` then `server.close()`. */
  close(): Promise<void>;
}

export async function startGateway(options: AppOptions): Promise<TestGateway> {
  const gateway = createApp(options);
  const server = await listen(gateway.app, { host: '127.0.0.1', port: 0 });
  return {
    gateway,
    server,
    url: server.url,
    async close() {
      gateway.close();
      await server.close();
    },
  };
}

/** What a test opened, closed after each test: call once per file, push gateways and sockets into it. */
export function closedAfterEach(): { gateways: TestGateway[]; sockets: { destroy(): void }[] } {
  const opened = { gateways: [] as TestGateway[], sockets: [] as { destroy(): void }[] };
  afterEach(async () => {
    for (const s of opened.sockets.splice(0)) s.destroy();
    for (const gw of opened.gateways.splice(0)) await gw.close();
  });
  return opened;
}

/** Poll `condition` (every few ms) until it holds; reject naming `what` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean,
  what = 'condition',
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
}

function requestBytes(
  url: string,
  path: string,
  options: RequestOptions,
): { port: number; host: string; data: string } {
  const u = new URL(url);
  const lines = [`${options.method ?? 'GET'} ${path} HTTP/1.1`, `Host: ${u.host}`, 'Connection: close'];
  for (const [k, v] of Object.entries(options.headers ?? {})) lines.push(`${k}: ${v}`);
  return { host: u.hostname, port: Number(u.port), data: `${lines.join('\r\n')}\r\n\r\n` };
}

/** Decodes `Transfer-Encoding: chunked` incrementally (only used if a server chunks). */
class Dechunker {
  #buf = Buffer.alloc(0);
  #remaining = -1; // -1: reading a size line
  push(chunk: Buffer): Buffer[] {
    this.#buf = Buffer.concat([this.#buf, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      if (this.#remaining < 0) {
        const eol = this.#buf.indexOf('\r\n');
        if (eol < 0) return out;
        this.#remaining = Number.parseInt(this.#buf.subarray(0, eol).toString('latin1'), 16);
        this.#buf = this.#buf.subarray(eol + 2);
      }
      if (this.#remaining === 0) return out;
      if (this.#buf.length < this.#remaining + 2) {
        return out;
      }
      out.push(this.#buf.subarray(0, this.#remaining));
      this.#buf = this.#buf.subarray(this.#remaining + 2);
      this.#remaining = -1;
    }
  }
}

/**
 * One MJPEG (or any) response read from raw socket bytes. `parts` fills as
 * complete parts (body + following boundary) arrive; a framing error is kept
 * in `error` and ends the client.
 */
export class StreamClient {
  status = 0;
  /** Response headers, names lower-cased. */
  headers: Record<string, string> = {};
  readonly parts: MultipartPart[] = [];
  /** The raw response body bytes (after de-chunking). */
  readonly body: Buffer[] = [];
  error: Error | undefined;
  closed = false;
  readonly parser: MultipartParser;
  readonly socket: Socket;
  readonly #closed: Promise<void>;
  #head = Buffer.alloc(0);
  #headDone = false;
  #dechunker: Dechunker | undefined;
  #onHead: (() => void) | undefined;

  private constructor(socket: Socket, requireContentLength: boolean) {
    this.socket = socket;
    this.parser = new MultipartParser('frame', { requireContentLength });
    this.#closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.closed = true;
        this.#onHead?.();
        resolve();
      });
    });
    socket.on('error', (err) => {
      this.error ??= err;
    });
    socket.on('data', (chunk: Buffer) => this.#data(chunk));
  }

  /** Connect, send the request, and resolve once the response head arrived. */
  static async open(
    url: string,
    path: string,
    options: RequestOptions & { requireContentLength?: boolean } = {},
  ): Promise<StreamClient> {
    const req = requestBytes(url, path, options);
    const socket = connect(req.port, req.host);
    const client = new StreamClient(socket, options.requireContentLength ?? true);
    socket.write(req.data);
    await new Promise<void>((resolve) => {
      client.#onHead = resolve;
    });
    if (!client.#headDone) {
      throw client.error ?? new Error(`connection closed before a response head for ${path}`);
    }
    return client;
  }

  #data(chunk: Buffer): void {
    if (!this.#headDone) {
      this.#head = Buffer.concat([this.#head, chunk]);
      const end = this.#head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = this.#head.subarray(0, end).toString('latin1').split('\r\n');
      this.status = Number(lines[0]!.split(' ')[1]);
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        this.headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      this.#headDone = true;
      if (this.headers['transfer-encoding'] === 'chunked') this.#dechunker = new Dechunker();
      const rest = this.#head.subarray(end + 4);
      this.#head = Buffer.alloc(0);
      this.#onHead?.();
      if (rest.length > 0) this.#body(rest);
      return;
    }
    this.#body(chunk);
  }

  #body(chunk: Buffer): void {
    const pieces = this.#dechunker ? this.#dechunker.push(chunk) : [chunk];
    for (const piece of pieces) {
      this.body.push(piece);
      if (this.error || !this.headers['content-type']?.startsWith('multipart/')) continue;
      try {
        this.parts.push(...this.parser.push(piece));
      } catch (err) {
        this.error = err as Error;
        this.socket.destroy();
      }
    }
  }

  /** All body bytes so far, concatenated. */
  bodyBytes(): Buffer {
    return Buffer.concat(this.body);
  }

  /** Wait until at least `n` parts arrived (rejects on a framing error or early close). */
  async waitForParts(n: number, timeoutMs = 10_000): Promise<MultipartPart[]> {
    await waitFor(
      () => this.parts.length >= n || this.error !== undefined || this.closed,
      `${n} parts`,
      timeoutMs,
    );
    if (this.error) throw this.error;
    if (this.parts.length < n) throw new Error(`stream ended after ${this.parts.length} of ${n} parts`);
    return this.parts.slice(0, n);
  }

  /** Resolves when the server closed the connection. */
  ended(): Promise<void> {
    return this.#closed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A client that sends its request and then never reads a byte (its socket stays paused). */
export async function openStalledClient(url: string, path: string): Promise<Socket> {
  const req = requestBytes(url, path, {});
  const socket = connect(req.port, req.host);
  socket.pause();
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.write(req.data);
  return socket;
}

/** `fetch` a JSON endpoint; returns status, headers and the parsed body. */
export async function fetchJson(
  url: string,
  init?: RequestInit,
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: Record<string, unknown> | undefined;
}

/**
 * One request over a real socket with exactly the headers given (a `Host` among them replaces
 * the URL's, as a browser sends the name it was given), a fresh connection each time.
 */
export function httpRequest(
  url: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<HttpAnswer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequestRaw(
      {
        host: u.hostname.replace(/^\[|\]$/g, ''),
        port: Number(u.port),
        path,
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> | undefined;
          if (res.headers['content-type']?.startsWith('application/json')) {
            json = JSON.parse(text) as Record<string, unknown>;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
