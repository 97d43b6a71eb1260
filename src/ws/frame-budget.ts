import { CloseCodes } from 'parley-chat-protocol';
import type { WebSocket } from 'ws';

// Per-socket flood control: a token bucket refilled at `perSecond`, holding at most `burst`. A socket that
// empties it is closed with 4029 — one client's flood must not cost everyone else their event loop.
export class FrameBudget {
  private tokens: number;
  private last = Date.now();

  constructor(
    private readonly perSecond: number,
    private readonly burst = perSecond * 4,
  ) {
    this.tokens = burst;
  }

  /** Takes one frame's worth; false when the socket is over its budget. */
  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The rules every endpoint's frames share: text only (1003), within the socket's budget (4029). */
export function onTextFrame(socket: WebSocket, perSecond: number, handle: (text: string) => void): void {
  const budget = new FrameBudget(perSecond);
  socket.on('message', (data, isBinary) => {
    if (socket.readyState !== socket.OPEN) return;
    if (isBinary) return socket.close(CloseCodes.unsupportedData.code, CloseCodes.unsupportedData.reason);
    if (!budget.take()) return socket.close(CloseCodes.rateLimited.code, CloseCodes.rateLimited.reason);
    handle(data.toString());
  });
}
