// A socket lives longer than its token. Shortly before `exp` the client is warned (`expiring`); a refresh
// with a newer token moves `exp` on; otherwise the socket is closed with 4001 at `exp`. The deadlines of every
// socket share one timer (deadline-heap.ts): a life is one heap slot, due at its next event.

import { CloseCodes } from 'parley-chat-protocol';
import type { WebSocket } from 'ws';
import type { Principal } from '../auth/principal.js';
import type { DeadlineHeap, Timed } from './deadline-heap.js';

/** Tells the client its token is about to expire; one shared function, not a closure per socket. */
export type Warn = (socket: WebSocket, expiresAt: number) => void;

export class TokenLife implements Timed {
  dueAt = 0;
  heapIndex = -1;
  /** The warning for the current token was sent (or is not wanted). */
  private warned = false;

  constructor(
    readonly socket: WebSocket,
    private principal: Principal,
    private readonly clock: DeadlineHeap,
    private readonly warningMs: number,
    /** Absent for protocols with no such frame. */
    private readonly warn?: Warn,
  ) {
    this.arm();
  }

  get current(): Principal {
    return this.principal;
  }

  /** Adopts a newer token of the same user: the socket goes on until the new `exp`. */
  renew(principal: Principal): void {
    this.principal = principal;
    this.arm();
  }

  /** The socket closed: nothing more is due. */
  end(): void {
    this.clock.cancel(this);
  }

  onDue(): void {
    const { expiresAt } = this.principal;
    if (!this.warned && Date.now() < expiresAt) {
      this.warned = true;
      this.warn?.(this.socket, expiresAt);
      this.clock.schedule(this, expiresAt);
      return;
    }
    this.socket.close(CloseCodes.tokenExpired.code, CloseCodes.tokenExpired.reason);
  }

  private arm(): void {
    const { expiresAt } = this.principal;
    this.warned = !this.warn;
    this.clock.schedule(this, this.warned ? expiresAt : expiresAt - this.warningMs);
  }
}
