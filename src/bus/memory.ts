// The single-process bus: delivery is a synchronous call, so order is publish order. Several servers in one
// process may share one (the in-process cluster tests do); `down` simulates an outage for them.
import type { Bus, Unsubscribe } from './bus.js';

export class MemoryBus implements Bus {
  private readonly channels = new Map<string, Set<(payload: string) => void>>();
  private readonly reconnectListeners: (() => void)[] = [];
  private outage = false;

  get up(): boolean {
    return !this.outage;
  }

  /** Starts or ends a simulated outage: publishes are lost and subscribing fails until it ends. */
  set down(down: boolean) {
    const recovered = this.outage && !down;
    this.outage = down;
    if (recovered) for (const listener of this.reconnectListeners) listener();
  }

  publish(channel: string, payload: string): void {
    if (this.outage) return;
    for (const handler of this.channels.get(channel) ?? []) handler(payload);
  }

  async subscribe(channel: string, handler: (payload: string) => void): Promise<Unsubscribe> {
    if (this.outage) throw new Error('the bus is down');
    let handlers = this.channels.get(channel);
    if (!handlers) this.channels.set(channel, (handlers = new Set()));
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
      if (handlers.size === 0 && this.channels.get(channel) === handlers) this.channels.delete(channel);
    };
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  async close(): Promise<void> {
    this.channels.clear();
  }
}
