// One-time socket tickets: a client that holds a bearer token but cannot set headers (a browser's WebSocket)
// trades it for a ticket good for one handshake within 30 seconds. Stored hashed, spent atomically,
// so any node can redeem it exactly once.
import type { TokenStore } from './ports.js';
import type { Principal } from './principal.js';
import { newSecret, secretHash } from './secrets.js';

export const TICKET_TTL_SECONDS = 30;

export class TicketService {
  constructor(private readonly store: Pick<TokenStore, 'saveTicket' | 'redeemTicket'>) {}

  async issue(principal: Principal): Promise<{ ticket: string; expiresIn: number }> {
    const ticket = newSecret();
    await this.store.saveTicket(secretHash(ticket), JSON.stringify(principal), Date.now() + TICKET_TTL_SECONDS * 1000);
    return { ticket, expiresIn: TICKET_TTL_SECONDS };
  }

  /** The Principal the ticket was issued for, or undefined if it is unknown, spent or expired. */
  async redeem(ticket: string): Promise<Principal | undefined> {
    const payload = await this.store.redeemTicket(secretHash(ticket), Date.now());
    // The payload is what issue() stored from a verified Principal: our own record, not client input.
    return payload === undefined ? undefined : (JSON.parse(payload) as Principal);
  }
}
