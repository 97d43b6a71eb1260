// The open sockets and the tokens they run on, so a revocation can find and close them (4403), and how many each
// user holds on this node, so one user cannot open any number of them (PARLEY_MAX_SOCKETS_PER_USER).
import type { Socket } from 'node:net';
import { CloseCodes } from 'parley-chat-protocol';
import type { WebSocket } from 'ws';
import type { Principal } from '../auth/principal.js';
import type { Revocation } from '../domain/accounts.js';
import { DeadlineHeap } from './deadline-heap.js';
import { TokenLife, type Warn } from './token-life.js';
import { releaseUpgradeRequest, type SocketErrorListener } from './upgrade-release.js';

export class LiveSockets {
  private readonly lives = new Map<WebSocket, TokenLife>();
  /** Sockets open or opening per user. A handshake takes its place at the gate, before the upgrade. */
  private readonly perUser = new Map<string, number>();
  /** Connections that passed the gate and are not sockets yet, by the user they hold a place for. */
  private readonly reserved = new Map<Socket, string>();
  private readonly closeListeners: ((code: number) => void)[] = [];
  private readonly clock = new DeadlineHeap();
  // One listener function each for every socket and connection (`this` is the emitter), not a closure per socket.
  private readonly onSocketClose: (this: WebSocket, code: number) => void;
  private readonly onConnectionClose: (this: Socket) => void;

  constructor(
    private readonly warningMs: number,
    private readonly maxPerUser = Infinity,
    private readonly onSocketError: SocketErrorListener = function () {
      this.terminate();
    },
  ) {
    const sockets = this;
    this.onSocketClose = function (code) {
      const life = sockets.lives.get(this);
      if (!life) return;
      sockets.lives.delete(this);
      life.end();
      sockets.release(life.current.username);
      for (const listener of sockets.closeListeners) listener(code);
    };
    this.onConnectionClose = function () {
      const username = sockets.reserved.get(this);
      if (username === undefined) return;
      sockets.reserved.delete(this);
      sockets.release(username);
    };
  }

  /**
   * Takes one of the user's places for the handshake on `connection`; false when the user has none left. The place
   * becomes the socket's when `track` is called with the same connection, or is given back if the connection closes.
   */
  reserve(connection: Socket, username: string): boolean {
    if (this.reserved.has(connection)) return true;
    const held = this.perUser.get(username) ?? 0;
    if (held >= this.maxPerUser) return false;
    this.perUser.set(username, held + 1);
    this.reserved.set(connection, username);
    connection.on('close', this.onConnectionClose);
    return true;
  }

  /** A socket whose handshake went through `connection` (reserved at the gate). */
  track(socket: WebSocket, principal: Principal, connection: Socket, warn?: Warn): TokenLife {
    releaseUpgradeRequest(socket, connection, this.onSocketError);
    if (this.reserved.delete(connection)) connection.off('close', this.onConnectionClose);
    else this.perUser.set(principal.username, (this.perUser.get(principal.username) ?? 0) + 1);
    const life = new TokenLife(socket, principal, this.clock, this.warningMs, warn);
    this.lives.set(socket, life);
    socket.on('close', this.onSocketClose);
    return life;
  }

  onClose(listener: (code: number) => void): void {
    this.closeListeners.push(listener);
  }

  /** Revocations are rare and sockets many: a scan per revocation costs less than keeping indexes current. */
  apply(revocation: Revocation): void {
    for (const life of this.lives.values()) {
      if (matches(life.current, revocation)) {
        life.socket.close(CloseCodes.tokenRevoked.code, CloseCodes.tokenRevoked.reason);
      }
    }
  }

  /** Closes every open socket with `event` (the node is shutting down). */
  closeAll(event: { code: number; reason: string }): void {
    for (const life of this.lives.values()) life.socket.close(event.code, event.reason);
  }

  get size(): number {
    return this.lives.size;
  }

  stop(): void {
    this.clock.stop();
  }

  private release(username: string): void {
    const held = (this.perUser.get(username) ?? 1) - 1;
    if (held > 0) this.perUser.set(username, held);
    else this.perUser.delete(username);
  }
}

function matches(principal: Principal, { kind, value }: Revocation): boolean {
  switch (kind) {
    case 'token':
      return principal.tokenId === value;
    case 'family':
      return principal.family === value;
    case 'user':
      return principal.username === value;
    case 'standing':
      return false; // the account changed, nothing was revoked
  }
}
