/**
 * Serve a Hono app on a real socket (`@hono/node-server`), with a `close()`
 * that does not wait for MJPEG clients: open connections are destroyed.
 */
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';

export interface RunningServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The underlying Node server (tests watch its sockets). */
  readonly server: Server;
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

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '' || host === '::') return host === '::' ? '[::1]' : '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export function listen(app: Hono, options: { host: string; port: number }): Promise<RunningServer> {
  // An HTTP/1.0 request may come without Host (mjpg-streamer-era clients do): it is served as if
  // sent to the listening address. HTTP/1.1 without Host stays a 400 (Node's requireHostHeader).
  const server = createAdaptorServer({ fetch: app.fetch, hostname: urlHost(options.host) }) as Server;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
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
        url: `http://${urlHost(options.host)}:${port}`,
        server,
        close() {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
