// Resume under fire: three senders push 1,000 messages through a bounded pipeline while an observer is cut off
// (socket.terminate()) at random points and resumes with `join {since: lastSeq}`; senders are cut off too and
// re-send what was not acked, by clientId. Afterwards the observer's stream must be exactly the store's order —
// no gap, no duplicate — each sender's messages in the order it sent them, and nothing stored twice.
//
// Random choices (drop points, reconnect delays, which acked sends are repeated) come from a seeded PRNG, one
// stream per client; the seed is printed. Reproduce the choices with
//   PARLEY_TEST_SEED=<seed> node --test --test-reporter=spec dist/test/ws/resume.test.js
// (PARLEY_RESUME_RUNS overrides the number of runs). Timing still varies between runs of one seed.
// Odd runs add store latency (test/support/store-latency.ts) so that replays and live publishes interleave.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { type Frame, getToken, type RunningServer, startServer } from '../helpers.js';
import { type StoreLatency, withLatency } from '../support/store-latency.js';

const ROOM = 'general';
const TOTAL = 1000;
const WINDOW = 32;
const RUNS = Number(process.env.PARLEY_RESUME_RUNS ?? 10);
const SEED = (process.env.PARLEY_TEST_SEED ? Number(process.env.PARLEY_TEST_SEED) : Date.now()) >>> 0;
const RUN_TIMEOUT_MS = 20_000;
/**
 * Odd runs put store latency (ms, see test/support/store-latency.ts) in one of two profiles, alternating:
 * slow reads — live entries reach a join during its replay, some already replayed (dropped by seq), some
 * beyond it (must be sent); slow commits — entries that a replay read are published after the join went live
 * (dropped by seq). Measured on SQLite: each path is taken by several joins of a 10-run file.
 */
const PROFILES = [
  { readMs: 15, commitMs: 0 },
  { readMs: 2, commitMs: 12 },
];

/** mulberry32: small, fast, good enough to pick disconnect points reproducibly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Random = () => number;
const int = (random: Random, lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1)); // inclusive
/** `count` distinct sorted integers in [lo, hi]. */
function points(random: Random, count: number, lo: number, hi: number): number[] {
  const chosen = new Set<number>();
  while (chosen.size < Math.min(count, hi - lo + 1)) chosen.add(int(random, lo, hi));
  return [...chosen].sort((a, b) => a - b);
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when `ready()` holds (checked every 20 ms); rejects after `ms`, saying what it waited for. */
function until(ready: () => boolean, ms: number, what: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    const check = () => {
      if (ready()) return resolve();
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what()}`));
      setTimeout(check, 20);
    };
    check();
  });
}

/**
 * One chat client whose connection may be cut off and reopened. It records the room's stream (every `message`
 * frame), checks each seq as it comes — exactly one more than the last, like a real client would — and
 * resumes with `join {since: the last seq it saw}`. Frames from a socket that was terminated are ignored, as a
 * client that dropped its connection would never see them.
 */
abstract class Reconnecting {
  protected ws: WebSocket | undefined;
  readonly problems: string[] = [];
  readonly seen: { seq: number; body: string; user: string }[] = [];
  lastSeq: number;
  connects = 0;
  joins = 0;
  private closed = false;

  constructor(
    protected readonly server: RunningServer,
    protected readonly token: string,
    readonly name: string,
    base: number,
  ) {
    this.lastSeq = base;
  }

  protected abstract onJoined(): void;
  protected abstract onFrame(frame: Frame): void;

  private onMessage(frame: Frame): void {
    if (frame.seq !== this.lastSeq + 1) {
      const before = this.seen.slice(-3).map((m) => m.seq);
      this.problems.push(`${this.name}: after …${before.join(',')} (connection ${this.connects}) got seq ${frame.seq}, expected ${this.lastSeq + 1}`);
    }
    this.seen.push({ seq: frame.seq, body: frame.body, user: frame.user });
    this.lastSeq = frame.seq;
  }

  connect(): void {
    if (this.closed) return;
    this.connects++;
    const ws = new WebSocket(`${this.server.wsUrl}/ws`, { headers: { authorization: `Bearer ${this.token}` } });
    this.ws = ws;
    ws.on('error', (error) => {
      if (ws === this.ws) this.problems.push(`${this.name}: socket error ${error.message}`);
    });
    ws.on('close', (code) => {
      if (ws === this.ws && !this.closed) this.problems.push(`${this.name}: server closed the socket (${code})`);
    });
    ws.on('message', (data) => {
      if (ws !== this.ws) return; // terminated: whatever was still buffered is not seen
      const frame = JSON.parse(data.toString()) as Frame;
      switch (frame.type) {
        case 'welcome':
          return ws.send(JSON.stringify({ type: 'join', room: ROOM, since: this.lastSeq }));
        case 'joined':
          this.joins++;
          return this.onJoined();
        case 'error':
          return void this.problems.push(`${this.name}: error frame ${JSON.stringify(frame)}`);
        case 'message':
          this.onMessage(frame);
          return this.onFrame(frame);
        default:
          return this.onFrame(frame);
      }
    });
  }

  /** An abrupt drop (no close handshake: socket.terminate()), then a new socket after `delayMs`. */
  drop(delayMs: number): void {
    const ws = this.ws;
    this.ws = undefined;
    ws?.terminate();
    setTimeout(() => this.connect(), delayMs);
  }

  protected sendFrame(frame: unknown): void {
    this.ws?.send(JSON.stringify(frame));
  }

  get live(): boolean {
    return this.ws !== undefined && this.ws.readyState === WebSocket.OPEN;
  }

  close(): void {
    this.closed = true;
    const ws = this.ws;
    this.ws = undefined;
    ws?.close();
  }
}

/**
 * Sends `count` messages `<label>-<n>`, at most WINDOW un-acked; after a drop, re-sends the un-acked ones.
 * Its own view of the stream is checked like the observer's.
 */
class Sender extends Reconnecting {
  private nextNew = 0;
  /** Indices sent (on this or an earlier socket) and not yet acked, oldest first. */
  private readonly unacked = new Set<number>();
  /** clientId → seq of its first ack; a later ack of the same clientId must name the same seq. */
  readonly acks = new Map<string, number>();
  /** Acked clientIds deliberately sent again after a reconnect: how many were answered, and which still wait. */
  reacked = 0;
  readonly reackPending = new Set<string>();
  private joined = false;
  private highestAck = 0;

  constructor(
    server: RunningServer,
    token: string,
    readonly label: string,
    readonly count: number,
    readonly dropAtAcks: number[],
    private readonly random: Random,
    base: number,
  ) {
    super(server, token, label, base);
  }

  clientId(n: number): string {
    return `${this.label}-${n}`;
  }

  get done(): boolean {
    return this.acks.size === this.count;
  }

  get maxSeq(): number {
    return this.highestAck;
  }

  override connect(): void {
    this.joined = false;
    super.connect();
  }

  override drop(delayMs: number): void {
    this.reackPending.clear(); // their answers went down with the socket
    super.drop(delayMs);
  }

  protected onJoined(): void {
    this.joined = true;
    // Re-send what was never acked, in the order it was first sent (same clientId, same body).
    for (const n of this.unacked) this.sendFrame(this.sendFrameFor(n));
    // Also repeat sends that were acked (none, the last one or two, or all of them): the server must answer
    // each with its original seq and store nothing.
    if (this.connects > 1) {
      const all = [...this.acks.keys()];
      const k = int(this.random, 0, 3);
      const acked = k === 3 ? all : all.slice(all.length - k);
      for (const clientId of acked) {
        this.reackPending.add(clientId);
        this.sendFrame({ type: 'send', room: ROOM, body: clientId, clientId });
      }
    }
    this.pump();
  }

  private sendFrameFor(n: number) {
    const clientId = this.clientId(n);
    return { type: 'send', room: ROOM, body: clientId, clientId };
  }

  private pump(): void {
    while (this.joined && this.live && this.unacked.size < WINDOW && this.nextNew < this.count) {
      const n = this.nextNew++;
      this.unacked.add(n);
      this.sendFrame(this.sendFrameFor(n));
    }
  }

  protected onFrame(frame: Frame): void {
    if (frame.type !== 'ack') return; // message frames: the observer checks those
    const clientId = String(frame.clientId);
    const seq = Number(frame.seq);
    const first = this.acks.get(clientId);
    if (first !== undefined) {
      if (!this.reackPending.delete(clientId)) this.problems.push(`${this.name}: ${clientId} acked twice`);
      this.reacked++;
      if (first !== seq) this.problems.push(`${this.name}: ${clientId} acked with seq ${first}, then ${seq}`);
      return;
    }
    const n = Number(clientId.slice(this.label.length + 1));
    if (!clientId.startsWith(`${this.label}-`) || !this.unacked.has(n)) {
      this.problems.push(`${this.name}: ack for ${clientId} that was not outstanding`);
      return;
    }
    this.acks.set(clientId, seq);
    this.unacked.delete(n);
    this.highestAck = Math.max(this.highestAck, seq);
    if (this.dropAtAcks[0] === this.acks.size && !this.done) {
      this.dropAtAcks.shift();
      this.drop(int(this.random, 0, 50));
      return;
    }
    this.pump();
  }
}

/** Only reads; drops at the given counts of messages seen and resumes from the last seq seen. */
class Observer extends Reconnecting {
  constructor(
    server: RunningServer,
    token: string,
    base: number,
    private readonly dropAtSeen: number[],
    private readonly random: Random,
  ) {
    super(server, token, 'observer', base);
  }

  get dropAtSeenLeft(): number {
    return this.dropAtSeen.length;
  }

  protected onJoined(): void {}

  protected onFrame(frame: Frame): void {
    if (frame.type !== 'message') return;
    if (this.dropAtSeen[0] === this.seen.length) {
      this.dropAtSeen.shift();
      this.drop(int(this.random, 0, 50));
    }
  }
}

async function api<T>(server: RunningServer, token: string, path: string): Promise<T> {
  const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200, `GET ${path}: ${response.status}`);
  return (await response.json()) as T;
}

async function lastSeq(server: RunningServer, token: string): Promise<number> {
  const rooms = await api<{ name: string; last_seq: number }[]>(server, token, '/rooms');
  return rooms.find((room) => room.name === ROOM)?.last_seq ?? 0;
}

/** The store's messages with seq in (base, last], oldest first, paged backwards 100 at a time. */
async function stored(server: RunningServer, token: string, base: number, last: number) {
  const pages: { seq: number; body: string; user: string }[][] = [];
  let before = last + 1;
  while (before > base + 1) {
    const page = await api<{ seq: number; body: string; user: string }[]>(server, token, `/rooms/${ROOM}/messages?before=${before}&limit=100`);
    if (page.length === 0) break;
    pages.unshift(page.filter((m) => m.seq > base));
    before = page[0]!.seq;
  }
  return pages.flat();
}

/** Asserts that `seqs` is exactly first, first+1, …, last; names the first gap or duplicate. */
function assertContiguous(seqs: number[], first: number, last: number, what: string): void {
  for (let i = 0; i < seqs.length; i++) {
    if (seqs[i] !== first + i) {
      const kind = i > 0 && seqs[i]! <= seqs[i - 1]! ? 'duplicate or backwards' : 'gap';
      assert.fail(`${what}: ${kind} at index ${i}: …${seqs.slice(Math.max(0, i - 3), i + 3).join(',')}… (expected ${first + i})`);
    }
  }
  assert.equal(seqs.length, last - first + 1, `${what}: ${seqs.length} seqs, expected ${first}..${last}`);
}

function assertNoProblems(problems: string[]): void {
  if (problems.length > 0) assert.fail(`${problems.length} problem(s): ${problems.slice(0, 5).join(' | ')}`);
}

describe('resume: nothing lost, nothing doubled', () => {
  let server: RunningServer;
  const tokens: Record<string, string> = {};
  const users = ['johndoe', 'janedoe', 'carol.resume'];
  let latency: StoreLatency;

  before(async () => {
    // Flood control (PARLEY_WS_FRAME_RATE, 100 frames/s by default) is not under test: senders here pipeline
    // hundreds of frames a second, and a resuming sender re-sends its whole window at once.
    server = await startServer({ PARLEY_WS_FRAME_RATE: '100000' }, undefined, {
      wrapStore: (store) => {
        const slowed = withLatency(store, prng(SEED ^ 0x1a7e));
        latency = slowed.latency;
        return slowed.store;
      },
    });
    // A third user, registered the way a person would: the /register form.
    const registered = await fetch(`${server.url}/register`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'carol.resume', password: 'secret-carol-1' }),
      redirect: 'manual',
    });
    assert.equal(registered.status, 303, `register: ${registered.status}`);
    tokens.johndoe = await getToken(server.url, 'johndoe');
    tokens.janedoe = await getToken(server.url, 'janedoe');
    tokens['carol.resume'] = await getToken(server.url, 'carol.resume', 'secret-carol-1');
  });
  after(async () => {
    await server.cleanup();
  });

  async function scenario(run: number, random: Random, log: (line: string) => void): Promise<void> {
    const reader = tokens.janedoe!;
    const base = await lastSeq(server, reader);
    const counts = [334, 333, 333];
    // Each client draws from its own stream, in its own event order: the same seed makes the same choices.
    const own = () => prng(int(random, 0, 2 ** 31));
    const senders = users.map((user, i) => {
      const count = counts[i]!;
      const drops = points(random, int(random, 0, 2), 1, count - 1);
      return new Sender(server, tokens[user]!, `${user}.r${run}`, count, drops, own(), base);
    });
    const observerDrops = points(random, int(random, 1, 3), 1, TOTAL - 1);
    const observer = new Observer(server, tokens.johndoe!, base, [...observerDrops], own());
    const plan = `observer drops after [${observerDrops.join(' ')}] messages; sender drops after acks ${senders
      .map((s) => `${s.label} [${s.dropAtAcks.join(' ')}]`)
      .join(', ')}`;
    log(`run ${run}: base seq ${base}; store latency ≤ ${latency.readMs}/${latency.commitMs} ms (read/commit); ${plan}`);

    const all = [observer, ...senders];
    const problems = () => all.flatMap((c) => c.problems);
    const started = Date.now();
    try {
      observer.connect();
      // Start the senders once the observer has joined, so its first drops land mid-stream.
      await until(
        () => observer.joins > 0 || problems().length > 0,
        5000,
        () => 'the observer to join',
      );
      for (const s of senders) s.connect();
      await until(
        () => problems().length > 0 || senders.every((s) => s.done),
        RUN_TIMEOUT_MS,
        () => `acks: ${senders.map((s) => `${s.label} ${s.acks.size}/${s.count}`).join(', ')}`,
      );
      assertNoProblems(problems());
      const last = Math.max(...senders.map((s) => s.maxSeq));
      await until(
        () => problems().length > 0 || (all.every((c) => c.lastSeq >= last) && observer.dropAtSeenLeft === 0),
        5000,
        () =>
          `every client to reach seq ${last} (at ${all.map((c) => `${c.name} ${c.lastSeq}`).join(', ')}; observer drops left ${observer.dropAtSeenLeft})`,
      );
      // A late duplicate would arrive right behind the last message: give it the chance to.
      await sleep(100);
      // Let deliberate re-sends of acked messages be answered too.
      await until(
        () => senders.every((s) => s.reackPending.size === 0),
        5000,
        () => 'acks of re-sent acked messages',
      );
      assertNoProblems(problems());
    } finally {
      for (const c of all) c.close();
    }
    const elapsed = Date.now() - started;

    // Nothing stored twice: exactly one new message per distinct clientId, and the store ends where the acks do.
    const last = Math.max(...senders.map((s) => s.maxSeq));
    assert.equal(last, base + TOTAL, 'the highest ack is base + the number of distinct clientIds');
    assert.equal(await lastSeq(server, reader), base + TOTAL, 'the room holds exactly one message per clientId');
    const store = await stored(server, reader, base, last);
    assertContiguous(
      store.map((m) => m.seq),
      base + 1,
      last,
      'store',
    );
    const bodies = new Set(store.map((m) => m.body));
    assert.equal(bodies.size, TOTAL, 'every stored body (= clientId) is distinct');

    // Every ack names the seq its message was stored at (re-sends included).
    const bySeq = new Map(store.map((m) => [m.seq, m]));
    for (const s of senders) {
      assert.equal(s.acks.size, s.count);
      for (const [clientId, seq] of s.acks) {
        const message = bySeq.get(seq);
        assert.equal(message?.body, clientId, `ack ${clientId} → seq ${seq} holds ${message?.body}`);
        assert.equal(message?.user, users[senders.indexOf(s)]);
      }
    }

    // Every client — the observer and each sender, across all their reconnects — saw exactly the store's
    // stream: contiguous from base + 1 to the last ack, no duplicate, same messages in the same order.
    const expected = store.map((m) => `${m.seq} ${m.user} ${m.body}`);
    for (const client of all) {
      assertContiguous(
        client.seen.map((m) => m.seq),
        base + 1,
        last,
        `${client.name} (${client.connects} connections)`,
      );
      assert.deepEqual(
        client.seen.map((m) => `${m.seq} ${m.user} ${m.body}`),
        expected,
        `${client.name} saw the store order`,
      );
    }

    // Each sender's messages are in the order it sent them, whatever the drops and re-sends.
    for (const s of senders) {
      const own = observer.seen.filter((m) => m.body.startsWith(`${s.label}-`)).map((m) => Number(m.body.slice(s.label.length + 1)));
      assert.deepEqual(own, [...Array(s.count).keys()], `${s.label}: its messages in the order sent`);
    }
    log(
      `run ${run}: ok in ${elapsed} ms — observer ${observer.connects} connections, senders ${senders
        .map((s) => `${s.connects} connections/${s.reacked} re-acks`)
        .join(' ')}`,
    );
  }

  test(`${RUNS} runs of ${TOTAL} messages from 3 senders, observer and senders dropped at random (seed ${SEED})`, { timeout: 120_000 }, async (t) => {
    const log = (line: string) => t.diagnostic(line);
    log(`seed ${SEED} (reproduce the choices with PARLEY_TEST_SEED=${SEED})`);
    console.log(`resume.test: seed ${SEED}`);
    for (let run = 0; run < RUNS; run++) {
      const random = prng((SEED + Math.imul(run, 0x9e3779b1)) >>> 0);
      // Even runs: the store as it is. Odd runs: with store latency, so live entries arrive during replays.
      Object.assign(latency, run % 2 === 1 ? PROFILES[(run >> 1) % 2]! : { readMs: 0, commitMs: 0 });
      try {
        await scenario(run, random, log);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(`seed ${SEED}, run ${run}: ${message}`, { cause: error });
      } finally {
        Object.assign(latency, { readMs: 0, commitMs: 0 });
      }
    }
  });

  // A resume from far behind: more backlog than the server's 4 MiB slow-consumer allowance.
  const BACKLOG = 6000;
  const WINDOW = 200;
  const PADDING = 'x'.repeat(1000);
  let backlog: Promise<{ base: number; bodies: string[] }> | undefined;
  function storeBacklog() {
    return (backlog ??= (async () => {
      const token = tokens.janedoe!;
      const base = await lastSeq(server, token);
      const bodies = [...Array(BACKLOG).keys()].map((n) => `backlog-${n}-${PADDING}`);
      const ws = new WebSocket(`${server.wsUrl}/ws`, { headers: { authorization: `Bearer ${token}` } });
      let acks = 0;
      let sent = 0;
      const sendNext = () => {
        if (sent < BACKLOG) ws.send(JSON.stringify({ type: 'send', room: ROOM, body: bodies[sent], clientId: `backlog-${sent++}` }));
      };
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`backlog: ${acks}/${BACKLOG} acks`)), 20_000);
        ws.on('error', reject);
        ws.on('close', (code) => reject(new Error(`backlog: the sender was closed (${code}) after ${acks} acks`)));
        ws.on('message', (data) => {
          const frame = JSON.parse(data.toString()) as Frame;
          // This sender wants acks: it joins at the top (a since past it is refused) and lets its own messages go by,
          // keeping WINDOW sends in flight so that their echo never outgrows what the server lets a socket leave unread.
          if (frame.type === 'welcome') ws.send(JSON.stringify({ type: 'join', room: ROOM, since: base }));
          if (frame.type === 'joined') for (let n = 0; n < WINDOW; n++) sendNext();
          if (frame.type === 'error') reject(new Error(JSON.stringify(frame)));
          if (frame.type === 'ack') {
            sendNext();
            if (++acks === BACKLOG) {
              clearTimeout(timer);
              resolve();
            }
          }
        });
      });
      ws.removeAllListeners('close');
      ws.close();
      return { base, bodies };
    })());
  }

  /** Joins with `since`, reconnecting from the last seq seen whenever the server closes the socket. */
  async function resume(since: number, until: number, maxConnections: number) {
    const seen: { seq: number; body: string }[] = [];
    const closes: string[] = [];
    let last = since;
    for (let c = 0; c < maxConnections && last < until; c++) {
      await new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(`${server.wsUrl}/ws`, { headers: { authorization: `Bearer ${tokens.johndoe}` } });
        const timer = setTimeout(() => {
          ws.terminate();
          reject(new Error(`resume: stuck at seq ${last} of ${until}`));
        }, 15_000);
        ws.on('error', reject);
        ws.on('message', (data) => {
          const frame = JSON.parse(data.toString()) as Frame;
          if (frame.type === 'welcome') ws.send(JSON.stringify({ type: 'join', room: ROOM, since: last }));
          if (frame.type !== 'message') return;
          seen.push({ seq: frame.seq, body: frame.body });
          last = frame.seq;
          if (last === until) ws.close();
        });
        ws.on('close', (code, reason) => {
          clearTimeout(timer);
          if (last < until) closes.push(`${code} ${reason.toString()} after seq ${last}`);
          resolve();
        });
      });
    }
    return { seen, closes };
  }

  test(`resuming ${BACKLOG} messages of 1 KB behind: nothing lost or doubled, even across 1013 closes`, { timeout: 60_000 }, async (t) => {
    const { base, bodies } = await storeBacklog();
    const { seen, closes } = await resume(base, base + BACKLOG, 20);
    t.diagnostic(`${closes.length + 1} connection(s); closes: ${closes.join('; ') || 'none'}`);
    for (const close of closes) assert.match(close, /^1013 /, 'the only close a reading client may get is 1013');
    assertContiguous(
      seen.map((m) => m.seq),
      base + 1,
      base + BACKLOG,
      'resumed backlog',
    );
    assert.deepEqual(
      seen.map((m) => m.body),
      bodies,
      'the backlog in the order it was sent',
    );
  });

  // A replay is paced by the client's reading (each page waits for the send buffer to drain), so a long
  // backlog never trips the slow-consumer guard meant for live traffic.
  test(`resuming ${BACKLOG} messages of 1 KB behind completes on one socket`, { timeout: 60_000 }, async () => {
    const { base } = await storeBacklog();
    const { seen, closes } = await resume(base, base + BACKLOG, 1);
    assert.deepEqual(closes, []);
    assert.equal(seen.length, BACKLOG);
  });

  test('a sender dropped with un-acked sends re-sends them all: original seqs, nothing stored twice', { timeout: 60_000 }, async (t) => {
    const random = prng(SEED ^ 0x5eed);
    const token = tokens['carol.resume']!;
    const count = 400;
    for (let round = 0; round < 3; round++) {
      const base = await lastSeq(server, token);
      const label = `drop-${round}`;
      const ids = [...Array(count).keys()].map((n) => `${label}-${n}`);
      const first = new Map<string, number>();
      const stopAfter = int(random, 0, 60);
      Object.assign(latency, round === 2 ? PROFILES[0]! : { readMs: 0, commitMs: 0 });

      // First socket: fire every send at once, drop abruptly after `stopAfter` acks (0: right after sending).
      const a = new WebSocket(`${server.wsUrl}/ws`, { headers: { authorization: `Bearer ${token}` } });
      await new Promise<void>((resolve, reject) => {
        a.on('error', reject);
        a.on('message', (data) => {
          const frame = JSON.parse(data.toString()) as Frame;
          if (frame.type === 'welcome') a.send(JSON.stringify({ type: 'join', room: ROOM, since: base }));
          if (frame.type === 'joined') {
            for (const id of ids) a.send(JSON.stringify({ type: 'send', room: ROOM, body: id, clientId: id }));
            if (stopAfter === 0) {
              a.terminate();
              resolve();
            }
          }
          if (frame.type === 'ack' && a.readyState === WebSocket.OPEN) {
            first.set(frame.clientId, frame.seq);
            if (first.size >= stopAfter) {
              a.terminate();
              resolve();
            }
          }
        });
      });
      await sleep(int(random, 0, 50));

      // Second socket: re-send every clientId, acked or not. Each must be acked once, acked ones with their seq.
      const again = new Map<string, number>();
      const b = new WebSocket(`${server.wsUrl}/ws`, { headers: { authorization: `Bearer ${token}` } });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`round ${round}: ${again.size}/${count} acks after the reconnect`)), 15_000);
        b.on('error', reject);
        b.on('message', (data) => {
          const frame = JSON.parse(data.toString()) as Frame;
          if (frame.type === 'welcome') b.send(JSON.stringify({ type: 'join', room: ROOM, since: base + count }));
          if (frame.type === 'joined') for (const id of ids) b.send(JSON.stringify({ type: 'send', room: ROOM, body: id, clientId: id }));
          if (frame.type === 'error') reject(new Error(JSON.stringify(frame)));
          if (frame.type === 'ack') {
            if (again.has(frame.clientId)) reject(new Error(`${frame.clientId} acked twice on one socket`));
            again.set(frame.clientId, frame.seq);
            if (again.size === count) {
              clearTimeout(timer);
              resolve();
            }
          }
        });
      });
      b.close();

      for (const [id, seq] of first) assert.equal(again.get(id), seq, `seed ${SEED} round ${round}: ${id} re-acked with another seq`);
      assert.equal(await lastSeq(server, token), base + count, `seed ${SEED} round ${round}: one stored message per clientId`);
      const store = await stored(server, token, base, base + count);
      assert.deepEqual(
        store.map((m) => m.body),
        ids,
        `seed ${SEED} round ${round}: stored once each, in the order sent`,
      );
      for (const m of store) assert.equal(again.get(m.body), m.seq);
      latency.readMs = latency.commitMs = 0;
      t.diagnostic(
        `round ${round}${round === 2 ? ' (store latency)' : ''}: dropped after ${first.size} acks; all ${count} re-sent, ${count} acks, ${store.length} stored`,
      );
    }
  });
});
