// The single-node bus: delivery is a synchronous call, so order is publish order.
import type { Bus, RoomEvent, Unsubscribe } from './bus.js';

export class MemoryBus implements Bus {
  private readonly channels = new Map<string, Set<(event: RoomEvent) => void>>();

  publish(channel: string, event: RoomEvent): void {
    for (const handler of this.channels.get(channel) ?? []) handler(event);
  }

  async subscribe(channel: string, handler: (event: RoomEvent) => void): Promise<Unsubscribe> {
    let handlers = this.channels.get(channel);
    if (!handlers) this.channels.set(channel, (handlers = new Set()));
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
      if (handlers.size === 0) this.channels.delete(channel);
    };
  }

  async close(): Promise<void> {
    this.channels.clear();
  }
}
