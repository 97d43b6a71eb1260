// A socket lives longer than its token. Shortly before `exp` the client is warned (`expiring`); a refresh
// with a newer token moves `exp` on; otherwise the socket is closed with 4001 at `exp`.
import type { WebSocket } from 'ws';
import type { Principal } from '../auth/principal.js';
import { CloseCodes } from 'parley-chat-protocol';

/** setTimeout holds at most 2^31-1 ms; longer waits are re-armed when the timer fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class TokenLife {
  private expiryTimer: NodeJS.Timeout | undefined;
  private warningTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly socket: WebSocket,
    private principal: Principal,
    private readonly warningMs: number,
    /** Tells the client its token is about to expire; absent for protocols with no such frame. */
    private readonly warn?: (expiresAt: number) => void,
  ) {
    this.arm();
    socket.once('close', () => this.disarm());
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
    this.disarm();
    const { expiresAt } = this.principal;
    this.expiryTimer = later(expiresAt, () => this.socket.close(CloseCodes.tokenExpired.code, CloseCodes.tokenExpired.reason));
    if (this.warn) {
      const warn = this.warn;
      this.warningTimer = later(expiresAt - this.warningMs, () => warn(expiresAt));
    }
  }

  private disarm(): void {
    clearTimeout(this.expiryTimer);
    clearTimeout(this.warningTimer);
  }
}

/** Runs `action` at the wall-clock time `at` (now if it has passed). */
function later(at: number, action: () => void): NodeJS.Timeout {
  const timer = setTimeout(
    () => (Date.now() < at ? later(at, action) : action()),
    Math.min(Math.max(at - Date.now(), 0), MAX_TIMER_MS),
  );
  return timer.unref();
}
