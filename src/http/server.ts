/**
 * Serve a Hono app on a real socket (`@hono/node-server`), with a `close()`
 * that does not wait for MJPEG clients: open connections are destroyed; when
 * asked, a cap on open connections (`connection-cap.ts`). Upgrade requests (the
 * viewer page's WebSocket) are answered by the app too (`upgrade.ts`).
 */
import type { Server } from 'node:http';
import { createSecureServer } from 'node:http2';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import { type Logger, silentLogger } from '../log.js';
import { libcUnavailable } from '../platform/libc.js';
import { openFileLimit } from '../platform/open-files.js';
import { localHost, localUrl } from './addresses.js';
import { ConnectionCap, chooseCap } from './connection-cap.js';
import { loadTls, type TlsFiles } from './tls.js';
import { serveUpgrades } from './upgrade.js';

export interface RunningServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The underlying Node server: HTTP, or HTTPS with HTTP/2 (tests watch its sockets). */
  readonly server: NetServer;
  /** Stops accepting, destroys open connections, resolves < 1 s. */
  close(): Promise<void>;
}

/** One-line message for a listen failure; keeps the system `code` (EADDRINUSE …) on the Error. */
function listenError(err: NodeJS.ErrnoException, host: string, port: number): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = listenMessage(err, host, port);
  if (err.code !== undefined) error.code = err.code;
  return error;
}

function listenMessage(err: NodeJS.ErrnoException, host: string, port: number): Error {
  const where = `${host}:${port}`;
  if (err.code === 'EADDRINUSE') {
    return new Error(
      `${where} is already in use (another cam-gateway?); stop it or pick another port with --listen HOST:PORT`,
    );
  }
  if (err.code === 'EACCES') {
    return new Error(
      `no permission to listen on ${where} (ports below 1024 need root); pick a port ≥ 1024 with --listen HOST:PORT`,
    );
  }
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
    return new Error(`cannot listen on ${where}: no such local address`);
  }
  return new Error(`cannot listen on ${where}: ${err.message}`);
}

export interface ListenOptions {
  host: string;
  port: number;
  /** Open connections at most; more are answered 503. Default: no cap. */
  maxConnections?: number;
  /** Where the connection cap says it refused connections. Default: silent. */
  logger?: Logger;
  /** Serve HTTPS with these PEM files, and HTTP/2 to clients that offer it (HTTP/1.1 to the rest). */
  tls?: TlsFiles;
}

/** Serves `app`; rejects with one line (address taken, no permission, TLS file missing or unusable …). */
export async function listen(app: Hono, options: ListenOptions): Promise<RunningServer> {
  const cap =
    options.maxConnections !== undefined
      ? new ConnectionCap({ max: options.maxConnections, logger: options.logger ?? silentLogger })
      : undefined;
  const fetch = cap ? cap.wrap(app.fetch) : app.fetch;
  const tls = options.tls ? await loadTls(options.tls) : undefined;
  // An HTTP/1.0 request may come without Host (mjpg-streamer-era clients do): it is served as if
  // sent to the listening address. HTTP/1.1 without Host stays a 400 (Node's requireHostHeader).
  const hostname = localHost(options.host);
  const server = (
    tls
      ? createAdaptorServer({
          fetch,
          createServer: createSecureServer,
          serverOptions: { cert: tls.cert, key: tls.key, allowHTTP1: true },
          hostname,
        })
      : createAdaptorServer({ fetch, hostname })
  ) as NetServer;
  serveUpgrades(server as Server);
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    cap?.accept(socket);
  });
  return new Promise<RunningServer>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.close();
      reject(listenError(err, options.host, options.port));
    };
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      const port = (server.address() as AddressInfo).port;
      let closing: Promise<void> | undefined;
      resolve({
        host: options.host,
        port,
        url: tls ? localUrl(options.host, port).replace(/^http:/, 'https:') : localUrl(options.host, port),
        server,
        close() {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
            (server as Partial<Server>).closeAllConnections?.();
          });
          return closing;
        },
      });
    });
  });
}

/**
 * `listen` with the connection cap the gateway and a relay use: `maxClients` or a default
 * derived from this process's open-file limit, said once in `logger` (warned when the limit
 * cannot hold that many).
 */
export async function listenCapped(
  app: Hono,
  options: { host: string; port: number; maxClients?: number; tls?: TlsFiles; logger: Logger },
): Promise<RunningServer> {
  const cap = chooseCap(options.maxClients, openFileLimit()?.soft, libcUnavailable() ?? 'getrlimit failed');
  options.logger[cap.note.level](cap.note.message);
  return listen(app, {
    host: options.host,
    port: options.port,
    maxConnections: cap.max,
    logger: options.logger,
    ...(options.tls ? { tls: options.tls } : {}),
  });
}
