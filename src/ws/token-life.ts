// A socket lives longer than its token: close it when the token expires unless a refresh moved `exp` on.
import type { WebSocket } from 'ws';
import type { Principal } from '../auth/principal.js';
import { CloseEvents } from './close-codes.js';

/** setTimeout holds at most 2^31-1 ms; longer tokens are re-armed when the timer fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class TokenLife {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: WebSocket,
    private principal: Principal,
  ) {
    this.arm();
    socket.once('close', () => clearTimeout(this.timer));
  }

  get current(): Principal {
    return this.principal;
  }

  /** Adopts a newer token of the same user: the socket goes on until the new `exp`. */
  renew(principal: Principal): void {
    this.principal = principal;
    this.arm();
  }

  private arm(): void {
    clearTimeout(this.timer);
    const left = this.principal.expiresAt - Date.now();
    this.timer = setTimeout(() => {
      if (Date.now() < this.principal.expiresAt) return this.arm();
      this.socket.close(CloseEvents.tokenExpired.code, CloseEvents.tokenExpired.reason);
    }, Math.min(Math.max(left, 0), MAX_TIMER_MS));
    this.timer.unref();
  }
}
