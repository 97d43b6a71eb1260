// Every write to a socket, on either endpoint, goes through here: a socket that already holds more than
// PARLEY_WS_MAX_BUFFERED unread is closed 1013 (slow consumer) instead of being given more, whatever it was
// about to be sent — live traffic, an echo, the answer to its own ping. Without this a client that sends and never
// reads makes the server buffer its answers without end. A replay is paced instead (chat-session.ts `drained`).
import { CloseCodes } from 'parley-chat-protocol';
import type { WebSocket } from 'ws';
import type { OutgoingFrame } from '../chat/entries.js';
import type { BudgetRefusals } from '../http/budgets.js';
import { sendCorked, sendShared } from './corked-send.js';

export interface SendBudget {
  maxBufferedBytes: number;
  refusals: BudgetRefusals;
}

/** `data`: an answer to this socket alone, or a frame shared by many (framed once, corked-send.ts). */
export function sendWithin(socket: WebSocket, data: string | OutgoingFrame, budget: SendBudget): void {
  if (socket.readyState !== socket.OPEN) return;
  if (socket.bufferedAmount > budget.maxBufferedBytes) {
    budget.refusals.refused('slow_consumer');
    return socket.close(CloseCodes.slowConsumer.code, CloseCodes.slowConsumer.reason);
  }
  if (typeof data === 'string') sendCorked(socket, data);
  else sendShared(socket, data);
}
