// Fan-out across nodes. The bus carries opaque text (chat/ decides what it means); the in-process bus and the
// Redis bus implement it, and both pass test/bus/contract.ts.

export type Unsubscribe = () => void;

export interface Bus {
  /**
   * Best effort: what one node publishes on a channel reaches the subscribers in publish order, while the bus is
   * up; what is lost (an outage, a crash between commit and publish) the subscribers find in the store.
   */
  publish(channel: string, payload: string): void;
  /**
   * Resolves once every payload published from then on will be delivered to `handler`; rejects if the bus cannot
   * subscribe now (a later call tries again: a failure is never remembered).
   */
  subscribe(channel: string, handler: (payload: string) => void): Promise<Unsubscribe>;
  /** Called after the bus comes back from an outage: whatever was published meanwhile is lost, so look in the store. */
  onReconnect(listener: () => void): void;
  /** False while the bus is known to be unreachable (for /readyz). */
  readonly up: boolean;
  close(): Promise<void>;
}
