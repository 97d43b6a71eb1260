// One-time socket tickets: a client that holds a bearer token but cannot set headers (a browser's WebSocket)
// trades it for a ticket good for one handshake within 30 seconds. Stored hashed, spent atomically,
// so any node can redeem it exactly once.
import type { Store } from '../store/store.js';
import type { Principal } from './principal.js';
import { newSecret, secretHash } from './secrets.js';

export const TICKET_TTL_SECONDS = 30;

export class TicketService {
  constructor(private readonly store: Store) {}

  async issue(principal: Principal): Promise<{ ticket: string; expiresIn: number }> {
    const ticket = newSecret();
    await this.store.saveTicket(secretHash(ticket), JSON.stringify(principal), Date.now() + TICKET_TTL_SECONDS * 1000);
    return { ticket, expiresIn: TICKET_TTL_SECONDS };
  }

  /** The Principal the ticket was issued for, or undefined if it is unknown, spent or expired. */
  async redeem(ticket: string): Promise<Principal | undefined> {
    const payload = await this.store.redeemTicket(secretHash(ticket), Date.now());
    return payload === undefined ? undefined : (JSON.parse(payload) as Principal);
  }
}
