// One timer for many deadlines: a binary min-heap by due time, with the single setTimeout armed for the earliest.
// Each open socket has a token deadline (the `expiring` warning, then the 4001 close); thousands of sockets with
// a timer each cost a Timeout object apiece and a timer-list entry, this costs one array slot. Items remember
// their heap position, so a renewed or closed socket leaves the heap at once (it is not kept alive until due).

export interface Timed {
  /** Wall-clock ms. */
  dueAt: number;
  /** Position in the heap; -1 when not scheduled. Owned by the heap. */
  heapIndex: number;
  onDue(): void;
}

/** setTimeout holds at most 2^31-1 ms; longer waits are re-armed when the timer fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class DeadlineHeap {
  private readonly heap: Timed[] = [];
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;

  /** Schedules `item` at `dueAt` (moving it if it was scheduled). */
  schedule(item: Timed, dueAt: number): void {
    this.cancel(item);
    item.dueAt = dueAt;
    item.heapIndex = this.heap.length;
    this.heap.push(item);
    this.up(item.heapIndex);
    this.arm();
  }

  cancel(item: Timed): void {
    const index = item.heapIndex;
    if (index < 0) return;
    item.heapIndex = -1;
    const last = this.heap.pop()!;
    if (index === this.heap.length) return;
    this.heap[index] = last;
    last.heapIndex = index;
    this.down(index);
    this.up(last.heapIndex);
  }

  get size(): number {
    return this.heap.length;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  private arm(): void {
    const first = this.heap[0];
    if (!first || first.dueAt >= this.armedFor) return;
    clearTimeout(this.timer);
    this.armedFor = first.dueAt;
    this.timer = setTimeout(() => this.fire(), Math.min(Math.max(first.dueAt - Date.now(), 0), MAX_TIMER_MS));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = Date.now();
    for (let first = this.heap[0]; first && first.dueAt <= now; first = this.heap[0]) {
      this.cancel(first);
      first.onDue();
    }
    this.arm();
  }

  private up(index: number): void {
    const item = this.heap[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = this.heap[parentIndex]!;
      if (parent.dueAt <= item.dueAt) break;
      this.heap[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    this.heap[index] = item;
    item.heapIndex = index;
  }

  private down(index: number): void {
    const item = this.heap[index]!;
    const length = this.heap.length;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= length) break;
      if (child + 1 < length && this.heap[child + 1]!.dueAt < this.heap[child]!.dueAt) child++;
      const smaller = this.heap[child]!;
      if (smaller.dueAt >= item.dueAt) break;
      this.heap[index] = smaller;
      smaller.heapIndex = index;
      index = child;
    }
    this.heap[index] = item;
    item.heapIndex = index;
  }
}
