// The open sockets and the tokens they run on, so a revocation can find and close them (4403).
import type { WebSocket } from 'ws';
import type { Principal } from '../auth/principal.js';
import type { Revocation } from '../domain/accounts.js';
import { CloseCodes } from 'parley-chat-protocol';
import { TokenLife } from './token-life.js';

export class LiveSockets {
  private readonly lives = new Set<TokenLife>();
  private readonly closeListeners: ((code: number) => void)[] = [];

  constructor(private readonly warningMs: number) {}

  track(socket: WebSocket, principal: Principal, warn?: (expiresAt: number) => void): TokenLife {
    const life = new TokenLife(socket, principal, this.warningMs, warn);
    this.lives.add(life);
    socket.once('close', (code) => {
      this.lives.delete(life);
      for (const listener of this.closeListeners) listener(code);
    });
    return life;
  }

  onClose(listener: (code: number) => void): void {
    this.closeListeners.push(listener);
  }

  /** Revocations are rare and sockets many: a scan per revocation costs less than keeping indexes current. */
  apply(revocation: Revocation): void {
    for (const life of this.lives) {
      if (matches(life.current, revocation)) {
        life.socket.close(CloseCodes.tokenRevoked.code, CloseCodes.tokenRevoked.reason);
      }
    }
  }

  /** Closes every open socket with `event` (the node is shutting down). */
  closeAll(event: { code: number; reason: string }): void {
    for (const life of this.lives) life.socket.close(event.code, event.reason);
  }

  get size(): number {
    return this.lives.size;
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
