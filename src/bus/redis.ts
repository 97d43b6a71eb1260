// The bus for many nodes: Redis pub/sub, one connection to publish and one to subscribe. Each channel is
// subscribed once per node however many local handlers it has, and unsubscribed when the last one goes.
import { Redis } from 'ioredis';
import type { Bus, RoomEvent, Unsubscribe } from './bus.js';

type Handler = (event: RoomEvent) => void;

export class RedisBus implements Bus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channels = new Map<string, { handlers: Set<Handler>; subscribed: Promise<unknown> }>();

  constructor(
    url: string,
    /** Keeps several Parleys (or test runs) on one Redis apart. */
    private readonly prefix: string,
    private readonly onError: (error: unknown) => void,
  ) {
    this.publisher = new Redis(url, { maxRetriesPerRequest: 3 });
    this.subscriber = new Redis(url);
    for (const connection of [this.publisher, this.subscriber]) connection.on('error', onError);
    this.subscriber.on('message', (channel: string, message: string) => {
      const entry = this.channels.get(channel.slice(this.prefix.length));
      if (!entry) return;
      const event = JSON.parse(message) as RoomEvent;
      for (const handler of entry.handlers) handler(event);
    });
  }

  publish(channel: string, event: RoomEvent): void {
    // A lost publish loses nothing: the entry is stored, and the next one shows subscribers the gap to fill.
    this.publisher.publish(this.prefix + channel, JSON.stringify(event)).catch(this.onError);
  }

  async subscribe(channel: string, handler: Handler): Promise<Unsubscribe> {
    let entry = this.channels.get(channel);
    if (!entry) {
      entry = { handlers: new Set(), subscribed: this.subscriber.subscribe(this.prefix + channel) };
      this.channels.set(channel, entry);
    }
    const { handlers, subscribed } = entry;
    handlers.add(handler);
    await subscribed;
    return () => {
      handlers.delete(handler);
      if (handlers.size > 0 || this.channels.get(channel)?.handlers !== handlers) return;
      this.channels.delete(channel);
      this.subscriber.unsubscribe(this.prefix + channel).catch(this.onError);
    };
  }

  async close(): Promise<void> {
    this.channels.clear();
    this.subscriber.disconnect();
    await this.publisher.quit().catch(() => this.publisher.disconnect());
  }
}
