// RoomFeed's promise — every seq after the receiver's position exactly once, in order, nothing after close() —
// checked with no server: an in-memory store whose reads take random (virtual) time and sometimes fail, entries
// committed while a replay runs, live copies arriving late, out of order, twice or never, and a sink that is
// sometimes slow to drain. Time is virtual (node:test's mock timers drive the feed's own timers too), so a seed
// replays the same interleaving: FEED_SEED=<seed> FEED_RUNS=1 reruns a failing run.
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { type FeedItem, RoomFeed } from '../../src/chat/feed.js';

const RUNS = Number(process.env.FEED_RUNS ?? 500);
const BASE_SEED = Number(process.env.FEED_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** mulberry32: small, seedable, good enough to pick interleavings. */
function random(seed: number): { next(): number; int(lo: number, hi: number): number; pick<T>(values: readonly T[]): T; chance(p: number): boolean } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (values) => values[Math.floor(next() * values.length)]!,
    chance: (p) => next() < p,
  };
}

type Random = ReturnType<typeof random>;

/** Virtual time: timers fire only when the test advances the clock; microtasks run between ticks. */
class Clock {
  now = 0;
  constructor(private readonly t: TestContext) {
    t.mock.timers.enable({ apis: ['setTimeout'] });
  }
  sleep(ms: number): Promise<void> {
    return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
  }
  async advance(ms = 1): Promise<void> {
    for (let i = 0; i < ms; i++) {
      this.t.mock.timers.tick(1);
      this.now++;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

/** The room's stored stream: seqs 1..top, gap-free; reads see the top as it stands when they run. */
class FakeEntries {
  top = 0;
  reads = 0;
  failures = 0;
  readonly violations: string[] = [];
  /** Called once a read has taken its snapshot: entries committed now are the ones it will not return. */
  duringRead = () => {};
  constructor(
    private readonly rng: Random,
    private readonly clock: Clock,
    private readonly failRate: number,
    private readonly maxDelayMs: number,
  ) {}

  async after(afterSeq: number, limit: number): Promise<FeedItem<number>[]> {
    this.reads++;
    if (!Number.isInteger(limit) || limit < 1) this.violations.push(`read with limit ${limit} (after ${afterSeq})`);
    if (!Number.isInteger(afterSeq) || afterSeq < 0) this.violations.push(`read after ${afterSeq}`);
    await this.clock.sleep(this.rng.int(0, this.maxDelayMs));
    if (this.rng.chance(this.failRate)) {
      this.failures++;
      throw new Error('the store hiccuped');
    }
    const top = this.top; // the read's snapshot; what commits while the answer travels back is not in it
    this.duringRead();
    await this.clock.sleep(this.rng.int(0, this.maxDelayMs));
    const items: FeedItem<number>[] = [];
    for (let seq = afterSeq + 1; seq <= Math.min(top, afterSeq + limit); seq++) items.push({ seq, frame: seq });
    return items;
  }
}

/** Records what the receiver got; `drained` is sometimes slow, as a socket with a full buffer is. */
class RecordingSink {
  readonly got: { seq: number; replaying: boolean }[] = [];
  readonly violations: string[] = [];
  closed = false;
  replayDone = false;
  constructor(
    private readonly rng: Random,
    private readonly clock: Clock,
    private readonly slowRate: number,
  ) {}

  send(frame: number, replaying: boolean): void {
    if (this.closed) this.violations.push(`seq ${frame} sent after close()`);
    if (replaying && this.replayDone) this.violations.push(`seq ${frame} sent as replay after the replay ended`);
    this.got.push({ seq: frame, replaying });
  }

  /** Whether the last `drained` has just resolved: a socket whose buffer has just drained takes at least one more. */
  private fresh = false;

  /** A slow receiver is sometimes not ready mid-page: the feed drops the rest of the page and reads it again. */
  ready(): boolean {
    if (this.fresh) {
      this.fresh = false;
      return true;
    }
    return !this.rng.chance(this.slowRate);
  }

  async drained(): Promise<void> {
    if (this.rng.chance(this.slowRate)) await this.clock.sleep(this.rng.int(1, 4));
    this.fresh = true;
  }
}

interface Outcome {
  seed: number;
  scenario: string;
  got: number[];
  expected: number[];
  closed: boolean;
  violations: string[];
  stuck?: string;
  reads: number;
  failures: number;
  errors: number;
  virtualMs: number;
}

/** One seeded run: builds a scenario, plays it in virtual time, and returns what the receiver saw. */
async function run(t: TestContext, seed: number): Promise<Outcome> {
  const rng = random(seed);
  const clock = new Clock(t);
  const page = rng.pick([1, 2, 3, 5, 8, 50]);
  const maxHeld = rng.chance(0.4) ? rng.int(1, 3) : 1000;
  const gapWaitMs = rng.pick([1, 2, 5, 10]);
  const failRate = rng.pick([0, 0, 0.15, 0.4]);
  const lossRate = rng.pick([0, 0.1, 0.3, 0.6]);
  const dupRate = rng.pick([0, 0.1, 0.3]);
  const maxLateMs = rng.pick([0, 1, 5, 20]);
  const initial = rng.int(0, 40);
  const later = rng.int(0, 40);
  // Commits spread out, or in a burst that lands while the replay is still reading.
  const spacingMs = rng.pick([0, 1, 3]);
  const inReadRate = rng.pick([0, 0.2, 0.5]);
  const prelude = rng.chance(0.3);
  const start = prelude ? 0 : rng.int(0, initial);
  const closeAt = rng.chance(0.15) ? rng.int(0, 40) : undefined;
  const replayAt = rng.int(0, 3);
  const scenario =
    `page=${page} maxHeld=${maxHeld} gapWait=${gapWaitMs} fail=${failRate} loss=${lossRate} dup=${dupRate} late<=${maxLateMs}` +
    ` stored=${initial} +${later}/${spacingMs}ms inRead=${inReadRate} start=${start}` +
    `${prelude ? ' skipTo' : ''}${closeAt !== undefined ? ` closeAt=${closeAt}` : ''}`;

  const entries = new FakeEntries(rng, clock, failRate, rng.pick([0, 1, 3, 10]));
  const sink = new RecordingSink(rng, clock, rng.pick([0, 0.3, 0.8]));
  let errors = 0;
  const feed = new RoomFeed<number>(start, entries, sink, { page, gapWaitMs, maxHeld, onError: () => errors++ });
  entries.top = initial;

  // Live copies: each entry is offered after a random delay (so out of order), sometimes twice, sometimes never
  // (only the store has it). The last entry always arrives: the hub's positioning guarantees that much.
  let lastEventAt = 0;
  const deliverLive = (seq: number, inMs: number, sure: boolean) => {
    const copies = sure ? 1 + (rng.chance(dupRate) ? 1 : 0) : rng.chance(lossRate) ? 0 : rng.chance(dupRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = Math.max(inMs + rng.int(0, maxLateMs), 1);
      lastEventAt = Math.max(lastEventAt, clock.now + delay);
      setTimeout(() => feed.offer({ seq, frame: seq }), delay);
    }
  };
  // Entries stored just before the receiver arrived may still be on their way to it live.
  for (let seq = Math.max(1, initial - 2); seq <= initial; seq++) if (rng.chance(0.5)) deliverLive(seq, 0, false);
  let at = 0;
  for (let i = 1; i <= later; i++) {
    at += rng.int(0, spacingMs);
    const commitAt = Math.max(at, 1);
    setTimeout(() => deliverLive(++entries.top, 0, i === later), commitAt);
    lastEventAt = Math.max(lastEventAt, commitAt);
  }
  if (later === 0 && initial > 0) deliverLive(initial, 0, true);
  // Entries committed while a read's answer is on its way: the moment a replay about to go live can miss.
  // They always arrive live (they may be the last entries), but possibly during the replay, into a full hold queue.
  let inRead = inReadRate > 0 ? rng.int(1, 15) : 0;
  entries.duringRead = () => {
    if (inRead <= 0 || !rng.chance(inReadRate)) return;
    for (let k = rng.int(1, 3); k > 0 && inRead > 0; k--, inRead--) deliverLive(++entries.top, 0, true);
  };

  let closed = false;
  if (closeAt !== undefined) {
    setTimeout(
      () => {
        closed = true;
        feed.close();
        sink.closed = true;
      },
      Math.max(closeAt, 1),
    );
  }

  // The prelude: the last messages of the room as they stand when it is read (some entries are edits, not
  // messages, so the prelude may skip seqs); the replay then continues after the last of them.
  let skipped: number[] = [];
  let replay: Promise<void> | undefined;
  let replayFailed: unknown;
  setTimeout(
    () => {
      if (closed) return;
      if (prelude) {
        const count = rng.int(0, Math.min(entries.top, 10));
        skipped = [];
        for (let seq = entries.top - count + 1; seq <= entries.top; seq++) if (rng.chance(0.7)) skipped.push(seq);
        feed.skipTo(skipped.map((seq) => ({ seq, frame: seq })));
      }
      replay = feed.replay().then(
        () => void (sink.replayDone = true),
        (error: unknown) => void (replayFailed = error),
      );
    },
    Math.max(replayAt, 1),
  );

  const expectedNow = () => {
    const from = Math.max(start, skipped.at(-1) ?? 0);
    const expected = [...skipped];
    for (let seq = from + 1; seq <= entries.top; seq++) expected.push(seq);
    return expected;
  };

  let stuck: string | undefined;
  const limit = lastEventAt + 30_000;
  for (;;) {
    await clock.advance();
    if (replayFailed !== undefined) {
      stuck = `replay() rejected: ${String(replayFailed)}`;
      break;
    }
    if (clock.now <= Math.max(lastEventAt, replayAt, closeAt ?? 0)) continue;
    if (closed) break;
    if (sink.replayDone && sink.got.length >= expectedNow().length) break;
    if (clock.now > limit) {
      stuck = `after ${clock.now} virtual ms: replay ${sink.replayDone ? 'done' : 'not done'}, receiver at ${feed.position} of ${entries.top}`;
      break;
    }
  }
  // Late duplicates and the feed's own timers have their chance to do harm.
  await clock.advance(100);
  if (replay && !closed && !stuck) await replay;
  t.mock.timers.reset();
  return {
    seed,
    scenario,
    got: sink.got.map((item) => item.seq),
    expected: expectedNow(),
    closed,
    violations: [...entries.violations, ...sink.violations],
    ...(stuck ? { stuck } : {}),
    reads: entries.reads,
    failures: entries.failures,
    errors,
    virtualMs: clock.now,
  };
}

function check(outcome: Outcome): void {
  const { seed, scenario, got, expected, closed } = outcome;
  const where = `seed ${seed} (${scenario}); rerun with FEED_SEED=${seed} FEED_RUNS=1`;
  assert.deepEqual(outcome.violations, [], where);
  assert.equal(outcome.stuck, undefined, where);
  for (let i = 1; i < got.length; i++) assert.ok(got[i]! > got[i - 1]!, `${where}: seq ${got[i]} after ${got[i - 1]}`);
  if (closed) {
    // Closed mid-way: what was sent is a clean start of the stream, and nothing came after close().
    assert.deepEqual(got, expected.slice(0, got.length), where);
  } else {
    assert.deepEqual(got, expected, where);
  }
  if (outcome.failures === 0) assert.equal(outcome.errors, 0, `${where}: errors reported with no store failure`);
}

test(`room feed: ${RUNS} random interleavings deliver every seq once, in order (seed ${BASE_SEED})`, async (t) => {
  console.log(`room feed: base seed ${BASE_SEED} (FEED_SEED=${BASE_SEED} replays this run; FEED_RUNS=${RUNS})`);
  const totals = { closed: 0, failures: 0, reads: 0, delivered: 0, virtualMs: 0 };
  for (let i = 0; i < RUNS; i++) {
    const outcome = await run(t, BASE_SEED + i);
    check(outcome);
    totals.closed += outcome.closed ? 1 : 0;
    totals.failures += outcome.failures;
    totals.reads += outcome.reads;
    totals.delivered += outcome.got.length;
    totals.virtualMs += outcome.virtualMs;
  }
  console.log(`room feed: ${JSON.stringify(totals)}`);
  // The scenarios really exercised what they are meant to (a run of a few dozen always does).
  if (RUNS >= 50) {
    assert.ok(totals.closed > 0 && totals.failures > 0, 'some runs close mid-way and some reads fail');
  }
});

test('a replay goes live while the room keeps getting entries, however small the hold queue', async (t) => {
  // Every read lets one more entry be committed and offered live: with a hold queue of one, a replay that never
  // made room in it would overflow on every pass and read on for as long as the room is busy.
  const clock = new Clock(t);
  const got: number[] = [];
  let top = 20;
  let reads = 0;
  let feed: RoomFeed<number> | undefined;
  const source = {
    async after(afterSeq: number, limit: number): Promise<FeedItem<number>[]> {
      reads++;
      const snapshot = top;
      if (reads < 200) {
        top++;
        const seq = top;
        setTimeout(() => feed!.offer({ seq, frame: seq }), 1);
      }
      await clock.sleep(2);
      const items: FeedItem<number>[] = [];
      for (let seq = afterSeq + 1; seq <= Math.min(snapshot, afterSeq + limit); seq++) items.push({ seq, frame: seq });
      return items;
    },
  };
  feed = new RoomFeed<number>(
    0,
    source,
    { send: (seq) => void got.push(seq), ready: () => true, drained: async () => {} },
    { page: 5, maxHeld: 1, onError: () => {} },
  );
  let live = false;
  void feed.replay().then(() => (live = true));
  while (!live && clock.now < 2000) await clock.advance();
  assert.ok(live, 'the replay went live');
  assert.ok(reads < 20, `went live after ${reads} reads while entries kept coming`);
  await clock.advance(20);
  t.mock.timers.reset();
  assert.deepEqual(
    got,
    Array.from({ length: top }, (_, i) => i + 1),
  );
});
