/**
 * graphql-ws over a `ws` server: the protocol is graphql-ws's own `makeServer`; this file only wires
 * sockets to it, as graphql-ws's `use/ws.ts` does, but lean enough for tens of thousands of idle
 * sockets: one keep-alive timer for all of them instead of an interval and a timeout per socket, and
 * nothing of the upgrade kept (not the request, nor a received frame, whose buffer can be a whole read).
 */
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../lib/logger';

/** What each graphql-ws context carries: the socket. */
export interface SocketExtra {
  readonly socket: WebSocket;
}

export interface GraphqlWsSettings {
  /** Each socket is pinged this often; one that has not answered by its next ping is terminated. */
  readonly keepAliveMs: number;
  readonly logger: Logger;
}

// Sockets are pinged in this many slices of the keep-alive period, so pings never come in one burst.
const SLICES = 10;

/** Serves graphql-ws on `wss`; `dispose()` closes every socket and the server. */
export function serveGraphqlWs<P extends Record<string, unknown>>(options: ServerOptions<P, SocketExtra>, wss: WebSocketServer, settings: GraphqlWsSettings): { dispose(): Promise<void> } {
  const server = makeServer(options);
  wss.options.handleProtocols = handleProtocols;
  const keepAlive = new WeakMap<WebSocket, { readonly slice: number; awaitingPong: boolean }>();
  let connections = 0;
  let tick = 0;
  const sweep = setInterval(() => {
    tick = (tick + 1) % SLICES;
    for (const socket of wss.clients) {
      const state = keepAlive.get(socket);
      if (!state || state.slice !== tick || socket.readyState !== socket.OPEN) continue;
      if (state.awaitingPong) {
        socket.terminate();
        continue;
      }
      state.awaitingPong = true;
      socket.ping();
    }
  }, settings.keepAliveMs / SLICES);
  sweep.unref();

  wss.on('connection', (socket) => {
    const state = { slice: connections++ % SLICES, awaitingPong: false };
    keepAlive.set(socket, state);
    socket.on('pong', () => {
      state.awaitingPong = false;
    });
    socket.once('error', (error) => {
      settings.logger.debug({ err: error }, 'websocket error');
      socket.close(CloseCode.InternalServerError, 'Internal server error');
    });
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send: (data) =>
          new Promise<void>((resolve) => {
            if (socket.readyState !== socket.OPEN) return resolve();
            // A write fails when the peer is gone; its 'close' follows and ends the subscriptions.
            socket.send(data, () => resolve());
          }),
        close: (code, reason) => socket.close(code, reason),
        // The frame is turned into a string at once: a handler that waits (a subscription lasts)
        // must not hold the buffer it came in.
        onMessage: (handle) => socket.on('message', (data) => handleMessage(handle, String(data))),
      },
      { socket },
    );
    socket.once('close', (code, reason) => {
      closed(code, String(reason)).catch((error: unknown) => settings.logger.error({ err: error }, 'graphql-ws close handling failed'));
    });
    function handleMessage(handle: (data: string) => Promise<void>, text: string): void {
      handle(text).catch((error: unknown) => {
        settings.logger.error({ err: error }, 'graphql-ws message handling failed');
        socket.close(CloseCode.InternalServerError, 'Internal server error');
      });
    }
  });

  return {
    async dispose() {
      clearInterval(sweep);
      for (const socket of wss.clients) socket.close(1001, 'Going away');
      wss.removeAllListeners('connection');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
