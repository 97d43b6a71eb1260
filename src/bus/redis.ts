// The bus for many nodes: Redis pub/sub, one connection to publish and one to subscribe. Each channel is
// subscribed once per node however many local handlers it has, and unsubscribed when the last one goes.
// Redis going away is an ordinary event: publishes fail fast and are dropped (the store has everything), a
// subscription that fails is forgotten so the next call tries again, and ioredis reconnects with backoff and
// resubscribes by itself; listeners then hear `onReconnect` and look in the store for what they missed.
import { Redis } from 'ioredis';
import type { Bus, Unsubscribe } from './bus.js';

type Handler = (payload: string) => void;

export class RedisBus implements Bus {
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channels = new Map<string, { handlers: Set<Handler>; subscribed: Promise<unknown> }>();
  private readonly reconnectListeners: (() => void)[] = [];

  constructor(
    url: string,
    /** Keeps several Parleys (or test runs) on one Redis apart. */
    private readonly prefix: string,
    private readonly onError: (error: unknown) => void,
  ) {
    const retryStrategy = (times: number) => Math.min(100 * 2 ** Math.min(times, 5), 2000);
    // A publish while Redis is away is dropped at once rather than queued and delivered stale later.
    this.publisher = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy });
    this.subscriber = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy });
    for (const connection of [this.publisher, this.subscriber]) connection.on('error', onError);
    let connectedBefore = false;
    this.subscriber.on('ready', () => {
      if (connectedBefore) for (const listener of this.reconnectListeners) listener();
      connectedBefore = true;
    });
    this.subscriber.on('message', (channel: string, message: string) => {
      for (const handler of this.channels.get(channel.slice(this.prefix.length))?.handlers ?? []) handler(message);
    });
  }

  get up(): boolean {
    return this.publisher.status === 'ready' && this.subscriber.status === 'ready';
  }

  publish(channel: string, payload: string): void {
    this.publisher.publish(this.prefix + channel, payload).catch(this.onError);
  }

  async subscribe(channel: string, handler: Handler): Promise<Unsubscribe> {
    let entry = this.channels.get(channel);
    if (!entry) {
      const subscribed = this.subscriber.subscribe(this.prefix + channel);
      const created = (entry = { handlers: new Set<Handler>(), subscribed });
      this.channels.set(channel, created);
      // A failed subscription is not kept: the next subscribe to this channel asks Redis again.
      subscribed.catch(() => {
        if (this.channels.get(channel) === created) this.channels.delete(channel);
      });
    }
    const { handlers, subscribed } = entry;
    handlers.add(handler);
    try {
      await subscribed;
    } catch (error) {
      handlers.delete(handler);
      throw error;
    }
    return () => {
      handlers.delete(handler);
      if (handlers.size > 0 || this.channels.get(channel)?.handlers !== handlers) return;
      this.channels.delete(channel);
      this.subscriber.unsubscribe(this.prefix + channel).catch(this.onError);
    };
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener);
  }

  async close(): Promise<void> {
    this.channels.clear();
    this.subscriber.disconnect();
    await this.publisher.quit().catch(() => this.publisher.disconnect());
  }
}
