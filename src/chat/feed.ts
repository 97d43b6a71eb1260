// One receiver's view of one room's stream: what it missed (replayed from the store, paced by its reading),
// then live entries — each seq exactly once, in order, whatever order they arrive in. No transport, no SQL:
// entries come from a source, frames go to a sink, and test/chat/feed.test.ts drives it with random
// interleavings of replay pages, live entries and gaps.

export interface FeedItem<F> {
  seq: number;
  frame: F;
}

/** Where missed entries are read from: the store, as encoded frames. */
export interface FeedSource<F> {
  /** Entries with seq > `afterSeq`, oldest first, at most `limit`. */
  after(afterSeq: number, limit: number): Promise<FeedItem<F>[]>;
}

/** Where frames go: one receiver. */
export interface FeedSink<F> {
  /** `replaying`: part of a catch-up the sink paces with `drained`, not live traffic it may refuse to queue. */
  send(frame: F, replaying: boolean): void;
  /** Whether the receiver has read enough of what it was sent to be sent more of a replay. */
  ready(): boolean;
  /** Resolves once it is `ready` again. */
  drained(): Promise<void>;
}

export interface FeedOptions {
  /** Entries read per replay page. */
  page: number;
  /** How long an entry past a gap waits for the missing ones to arrive live before they are read from the source. */
  gapWaitMs: number;
  /** Live entries held while a replay runs; past this they are dropped and read again from the source instead. */
  maxHeld: number;
  onError(error: unknown): void;
}

const DEFAULTS: Omit<FeedOptions, 'onError'> = { page: 500, gapWaitMs: 50, maxHeld: 1000 };
/** The first replay page, and the smallest after a receiver stopped reading mid-page. */
const MIN_PAGE = 16;

export class RoomFeed<F> {
  private live = false;
  private closed = false;
  /** Live entries that arrived during the replay. */
  private held: FeedItem<F>[] = [];
  /** More arrived during the replay than are held: read on from the source before going live. */
  private overflowed = false;
  /** Live entries past a gap, by seq, waiting for the gap to close. */
  private readonly ahead = new Map<number, F>();
  private filling = false;
  private readonly options: FeedOptions;

  constructor(
    /** Highest seq the receiver has: nothing at or below it is sent, nothing above it skipped. */
    private sent: number,
    private readonly source: FeedSource<F>,
    private readonly sink: FeedSink<F>,
    options: Partial<FeedOptions> & Pick<FeedOptions, 'onError'>,
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** The highest seq sent to the receiver. */
  get position(): number {
    return this.sent;
  }

  /**
   * Sends these entries (ascending seqs, e.g. the last messages of a room for a receiver with no position) as the
   * start of the replay, and continues from the last of them.
   */
  skipTo(items: readonly FeedItem<F>[]): void {
    for (const item of items) {
      if (item.seq <= this.sent) continue;
      this.sent = item.seq;
      this.sink.send(item.frame, true);
    }
  }

  /**
   * Sends what the source holds after the starting position, page by page as the sink drains, then goes live.
   * A failed read is reported and tried again: it resolves once live (or closed), it does not reject.
   */
  async replay(): Promise<void> {
    for (let retryMs = this.options.gapWaitMs; ; ) {
      this.overflowed = false;
      // Held entries a pass has read are spent: left in the queue, they would make every later pass overflow
      // again, and a busy room would keep the receiver replaying for as long as it stays busy.
      this.held = this.held.filter((item) => item.seq > this.sent);
      const from = this.sent;
      try {
        await this.readOn(true);
      } catch (error) {
        // A store hiccup must not leave the receiver joined but never live: report it, wait, read on from here
        // (waiting longer while the reads keep failing, not while they make progress).
        this.options.onError(error);
        if (this.sent > from) retryMs = this.options.gapWaitMs;
        await new Promise((resolve) => setTimeout(resolve, retryMs));
        retryMs = Math.min(retryMs * 2, 1000);
        continue;
      }
      if (this.closed) return;
      // Entries dropped from the hold queue were stored before they arrived: one more pass reads them.
      if (!this.overflowed) break;
    }
    this.live = true;
    for (const item of this.held.splice(0)) this.accept(item);
  }

  /** A live entry. Before the replay ends it is held; after, it is sent in order (or waits for a gap to close). */
  offer(item: FeedItem<F>): void {
    if (this.closed) return;
    if (this.live) return this.accept(item);
    if (item.seq <= this.sent) return;
    if (this.held.length < this.options.maxHeld) this.held.push(item);
    else this.overflowed = true;
  }

  get isLive(): boolean {
    return this.live && !this.closed;
  }

  close(): void {
    this.closed = true;
    this.held = [];
    this.ahead.clear();
  }

  /**
   * Reads and sends pages until one comes back short (or, for a gap, until the entries waiting ahead connect).
   * A replay stops wherever the receiver stops reading and drops the rest of its page, to read it again once the
   * receiver is ready: a receiver that reads nothing holds no page, only its send buffer. Pages start small and
   * double while the receiver keeps up; after a stall the next is as long as what went through.
   */
  private async readOn(replaying: boolean): Promise<void> {
    // Slow start: a receiver that never reads costs one small page, not a full one.
    let size = Math.min(MIN_PAGE, this.options.page);
    for (;;) {
      if (replaying) await this.sink.drained();
      // A gap often closes by itself while the fill waits (entries arriving out of order): then there is
      // nothing to read, and the limit below would not be a number a store accepts.
      if (this.closed || (!replaying && this.ahead.size === 0)) return;
      const limit = replaying ? size : Math.min(this.options.page, Math.max(...this.ahead.keys()) - this.sent);
      let page: FeedItem<F>[] | undefined = await this.source.after(this.sent, limit);
      if (this.closed) return;
      const length = page.length;
      const { sent, stalled } = this.sendPage(page, replaying);
      // Not kept alive (in this frame) while a stalled receiver is waited for.
      page = undefined;
      if (stalled) {
        size = Math.max(MIN_PAGE, sent);
        continue;
      }
      if (replaying) size = Math.min(this.options.page, size * 2);
      else this.sendAhead();
      if (length < limit || (!replaying && this.ahead.size === 0)) return;
    }
  }

  /** Sends the page's next entries; a replay stops where the receiver is not ready. */
  private sendPage(page: readonly FeedItem<F>[], replaying: boolean): { sent: number; stalled: boolean } {
    let sent = 0;
    for (const item of page) {
      if (item.seq !== this.sent + 1) continue; // an overlap with what was sent meanwhile
      if (replaying && !this.sink.ready()) return { sent, stalled: true };
      this.send(item.frame, replaying);
      sent++;
    }
    return { sent, stalled: false };
  }

  private accept(item: FeedItem<F>): void {
    if (item.seq <= this.sent) return;
    if (item.seq > this.sent + 1) {
      this.ahead.set(item.seq, item.frame);
      return this.fillSoon();
    }
    this.send(item.frame, false);
    this.sendAhead();
  }

  private send(frame: F, replaying: boolean): void {
    this.sent++;
    this.sink.send(frame, replaying);
  }

  /** Sends the waiting entries that now connect, and forgets any that were sent another way. */
  private sendAhead(): void {
    for (let next = this.ahead.get(this.sent + 1); next !== undefined; next = this.ahead.get(this.sent + 1)) {
      this.ahead.delete(this.sent + 1);
      this.send(next, false);
    }
    for (const seq of this.ahead.keys()) if (seq <= this.sent) this.ahead.delete(seq);
  }

  /**
   * A gap that does not close by itself within gapWaitMs (another node's publish late or lost) is read from the
   * source; if the source fails, it is tried again, less and less often (up to once a second).
   */
  private fillSoon(delayMs = this.options.gapWaitMs): void {
    if (this.filling) return;
    this.filling = true;
    let failed = false;
    setTimeout(() => {
      this.readOn(false)
        .catch((error: unknown) => {
          failed = true;
          this.options.onError(error);
        })
        .finally(() => {
          this.filling = false;
          if (this.ahead.size > 0 && !this.closed) this.fillSoon(failed ? Math.min(delayMs * 2, 1000) : this.options.gapWaitMs);
        });
    }, delayMs).unref?.();
  }
}
