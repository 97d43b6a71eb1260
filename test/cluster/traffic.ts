// Steady chat traffic: `rate` sends per second in total, taken by the clients in turn, each to one of its
// rooms at random. Sends keep being issued while a client is disconnected (they wait in the client and go out
// on its next socket), as a user keeps typing through a blip.
import type { ResumingClient } from './client.js';

export class Traffic {
  /** Rooms that get no new sends (a room that goes quiet). */
  readonly quiet = new Set<string>();
  private timer?: NodeJS.Timeout;
  private issued = 0;
  private turn = 0;

  constructor(
    private readonly clients: ResumingClient[],
    private readonly rate: number,
  ) {}

  start(): void {
    const startedAt = Date.now();
    // Catch up on what is due rather than trusting each tick to be on time (the event loop is busy here).
    this.timer = setInterval(() => {
      const due = Math.floor(((Date.now() - startedAt) / 1000) * this.rate);
      while (this.issued < due) {
        this.issued++;
        this.sendOne();
      }
    }, 10);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sendOne(): void {
    for (let tries = 0; tries < this.clients.length; tries++) {
      const client = this.clients[this.turn++ % this.clients.length]!;
      const rooms = client.rooms.filter((room) => !this.quiet.has(room));
      if (rooms.length === 0) continue;
      client.send(rooms[Math.floor(Math.random() * rooms.length)]!);
      return;
    }
  }
}
