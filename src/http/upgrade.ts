/**
 * HTTP upgrade requests (WebSocket handshakes) go through the app like any
 * other request: the server's `upgrade` event is answered by the same request
 * listener, with a response written to the raw socket, so `--auth`, CORS, 404s
 * and errors are exactly those of every route. A route that takes the socket
 * over (`claimUpgrade`) gets it with the bytes read past the request head; any
 * other answer is written as a plain HTTP response and the socket is closed.
 */
import { type IncomingMessage, type Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

interface PendingUpgrade {
  readonly socket: Socket;
  readonly head: Buffer;
  readonly response: ServerResponse;
}

const pending = new WeakMap<IncomingMessage, PendingUpgrade>();

/** Answer `server`'s upgrade requests with its own request listener (the app). */
export function serveUpgrades(server: Server): void {
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node took its own error handler off the socket: a reset before the answer must not crash the process.
    socket.on('error', () => socket.destroy());
    if (!(socket instanceof Socket)) {
      socket.destroy();
      return;
    }
    const response = new ServerResponse(request);
    response.shouldKeepAlive = false;
    response.assignSocket(socket);
    response.once('finish', () => socket.end());
    pending.set(request, { socket, head, response });
    server.emit('request', request, response);
  });
}

/** Whether this request came as an upgrade through `serveUpgrades` and is not claimed yet. */
export function isPendingUpgrade(request: IncomingMessage): boolean {
  return pending.has(request);
}

/**
 * Take over the socket of an upgrade request (from its Node bindings' `incoming`): the
 * response that would have answered it is detached, and nothing is written. `undefined`
 * when the request is not an upgrade this server passed on, or was claimed already.
 */
export function claimUpgrade(
  request: IncomingMessage | undefined,
): { socket: Socket; head: Buffer } | undefined {
  const upgrade = request ? pending.get(request) : undefined;
  if (!request || !upgrade) return undefined;
  pending.delete(request);
  upgrade.response.detachSocket(upgrade.socket);
  return { socket: upgrade.socket, head: upgrade.head };
}
