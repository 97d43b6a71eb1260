// Peer: Bun's built-in WebSocket server (uWebSockets inside), run by the bun binary as
// `bun dist/bench/peers/bun.js`. The upgrade is authenticated in fetch() before server.upgrade() — the same
// JWT check as Parley, on the Authorization header. /relay uses uWS's native pub/sub: server.publish sends
// one encoded frame to every subscriber (the sender included, as Parley's broadcast does).
import { serveParent } from '../ipc.js';
import { parseJson, toMessage } from './chat.js';
import { JwtCheck, secretFromEnv } from './jwt.js';

// Just what this file uses of Bun's API, so tsc (which has no Bun types here) can check it.
interface BunSocket {
  data: { user: string; relay: boolean };
  send(data: string): number;
  subscribe(topic: string): void;
}
interface BunServer {
  port: number;
  upgrade(request: Request, options: { data: BunSocket['data'] }): boolean;
  publish(topic: string, data: string): number;
  stop(closeActive?: boolean): Promise<void> | void;
}
declare const Bun: {
  serve(options: {
    hostname: string;
    port: number;
    fetch(request: Request, server: BunServer): Promise<Response | undefined> | Response | undefined;
    websocket: {
      maxPayloadLength: number;
      perMessageDeflate: boolean;
      open(ws: BunSocket): void;
      message(ws: BunSocket, message: string | Uint8Array): void;
    };
  }): BunServer;
  gc(force: boolean): void;
};

const jwt = new JwtCheck(secretFromEnv(process.env));

const server = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  async fetch(request, srv) {
    const path = new URL(request.url).pathname;
    const user = await jwt.bearer(request.headers.get('authorization'));
    if (!user) return new Response(null, { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } });
    if (path !== '/echo' && path !== '/relay') return new Response(null, { status: 404 });
    if (srv.upgrade(request, { data: { user, relay: path === '/relay' } })) return undefined;
    return new Response(null, { status: 400 });
  },
  websocket: {
    maxPayloadLength: 64 * 1024,
    perMessageDeflate: false,
    open(ws) {
      if (!ws.data.relay) return void ws.send(`Welcome ${ws.data.user}!`);
      ws.subscribe('general');
      ws.send(JSON.stringify({ type: 'welcome', user: ws.data.user }));
    },
    message(ws, message) {
      const text = typeof message === 'string' ? message : new TextDecoder().decode(message);
      if (!ws.data.relay) return void ws.send(`You wrote: ${text}`);
      const chat = toMessage(parseJson(text), ws.data.user);
      if (chat) server.publish('general', JSON.stringify(chat));
    },
  },
});

serveParent({ port: server.port, stop: async () => void (await server.stop(true)) }, () => Bun.gc(true));
