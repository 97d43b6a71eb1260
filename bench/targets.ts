// Each peer's wire protocol, as the load generator speaks it: where echo and chat live, how a socket
// authenticates and joins room `general`, how a chat message is framed. Same token for every peer.
import { PEER_LABELS, type PeerName } from './server-process.js';
import { WireSocket } from './wire.js';

export interface Target {
  peer: PeerName;
  label: string;
  port: number;
  /** An authenticated socket on the echo endpoint, its welcome line already read. */
  openEcho(localAddress?: string): Promise<WireSocket>;
  /** Frames a text for the echo endpoint; `echoText` unframes the reply. */
  echoFrame(text: string): string;
  echoText(frame: string): string;
  /** An authenticated chat socket, its welcome already read (it is what an idle client holds). */
  openChat(localAddress?: string): Promise<WireSocket>;
  /** Makes an open chat socket a live member of `general` with nothing old still in flight towards it. */
  join(ws: WireSocket): Promise<void>;
  /** A chat `send` of `body` to `general`. */
  sendFrame(body: string, clientId: string): string;
}

const WELCOME = /^Welcome \S+!$/;

export function targetFor(peer: PeerName, port: number, token: string): Target {
  return peer === 'socketio' ? socketIoTarget(port, token) : plainTarget(peer, port, token);
}

/** Parley, ws and Bun: the token in the Authorization header, checked before the upgrade. */
function plainTarget(peer: PeerName, port: number, token: string): Target {
  const headers = { Authorization: `Bearer ${token}` };
  const parley = peer === 'parley';
  return {
    peer,
    label: PEER_LABELS[peer],
    port,
    async openEcho(localAddress) {
      const ws = await WireSocket.open({ port, path: parley ? '/secured-ws' : '/echo', headers, localAddress });
      expectWelcome(await ws.next(), (text) => WELCOME.test(text));
      return ws;
    },
    echoFrame: (text) => text,
    echoText: (frame) => frame,
    async openChat(localAddress) {
      const ws = await WireSocket.open({ port, path: parley ? '/ws' : '/relay', headers, localAddress });
      expectWelcome(await ws.next(), (text) => text.startsWith('{"type":"welcome"'));
      return ws;
    },
    async join(ws) {
      // ws and Bun put a socket in the room when it opens.
      if (!parley) return;
      ws.sendText(JSON.stringify({ type: 'join', room: 'general' }));
      // A join replays recent messages; frames are handled in order, so the pong comes after that replay.
      ws.sendText(JSON.stringify({ type: 'ping' }));
      for (let i = 0; i < 5000; i++) {
        const frame = await ws.next();
        if (frame.startsWith('{"type":"error"')) throw new Error(`join refused: ${frame}`);
        if (frame === '{"type":"pong"}' || frame.startsWith('{"type":"pong"')) return ws.reset();
      }
      throw new Error('join: no pong within 5000 frames');
    },
    sendFrame: (body, clientId) => JSON.stringify({ type: 'send', room: 'general', body, clientId }),
  };
}

/**
 * Socket.IO over its websocket transport: Engine.IO's open packet ("0{…}"), then the CONNECT packet with
 * the token in its auth payload ("40{"token":…}"), answered "40{sid}" or refused "44{message}" — what
 * socket.io-client does with `auth: {token}, transports: ['websocket']`.
 */
function socketIoTarget(port: number, token: string): Target {
  const connect = async (mode: string, localAddress?: string) => {
    const ws = await WireSocket.open({ port, path: `/socket.io/?EIO=4&transport=websocket${mode}`, localAddress, engineIo: true });
    const open = await ws.next();
    if (!open.startsWith('0{')) throw new Error(`socket.io: expected the open packet, got ${open.slice(0, 80)}`);
    ws.sendText(`40${JSON.stringify({ token })}`);
    const connected = await ws.next();
    if (!connected.startsWith('40')) throw new Error(`socket.io: connect refused: ${connected.slice(0, 120)}`);
    return ws;
  };
  const event = (frame: string) => JSON.parse(frame.slice(2)) as [string, unknown];
  return {
    peer: 'socketio',
    label: PEER_LABELS.socketio,
    port,
    async openEcho(localAddress) {
      const ws = await connect('&mode=echo', localAddress);
      expectWelcome(await ws.next(), (frame) => WELCOME.test(String(event(frame)[1])));
      return ws;
    },
    echoFrame: (text) => `42${JSON.stringify(['message', text])}`,
    echoText: (frame) => String(event(frame)[1]),
    async openChat(localAddress) {
      const ws = await connect('', localAddress);
      expectWelcome(await ws.next(), (frame) => event(frame)[0] === 'welcome');
      return ws;
    },
    // The server joins every chat socket to `general` before it sends the welcome.
    join: async () => {},
    sendFrame: (body) => `42${JSON.stringify(['send', { room: 'general', body }])}`,
  };
}

function expectWelcome(frame: string, ok: (frame: string) => boolean): void {
  if (!ok(frame)) throw new Error(`expected a welcome, got ${frame.slice(0, 120)}`);
}
