// The books after a scenario: what the clients were told (acks, errors, message frames) against what
// PostgreSQL holds. Every check is on the external record only, so it stays valid whatever the server's
// internals become.
import type { ResumingClient, SendRecord } from './client.js';
import type { RunDatabase, StoredRow } from './postgres.js';
import { sleep } from './processes.js';

export interface Summary {
  sends: number;
  acked: number;
  refusals: number;
  /** Error frames by code (retried ones included). */
  errors: Record<string, number>;
  p50: number;
  p99: number;
  maxAckMs: number;
  reconnects: number;
  maxReconnectMs: number;
  lost: number;
  doubled: number;
}

const settled = (s: SendRecord) => s.ackAt !== undefined || s.refused !== undefined;

/**
 * Waits (up to `ms`) until every send is acked or refused and every client has seen its rooms up to their
 * stored last seq: the settle period after traffic stops. Answers whether that happened.
 */
export async function settle(db: RunDatabase, rooms: string[], clients: ResumingClient[], ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    const lastSeq = await db.lastSeqs(rooms);
    const sendsDone = clients.every((c) => [...c.sends.values()].every(settled));
    const seen = clients.every((c) => c.finalClose || c.rooms.every((room) => c.highestSeq(room) >= (lastSeq.get(room) ?? 0)));
    if (sendsDone && seen) return true;
    if (Date.now() > deadline) return false;
    await sleep(200);
  }
}

export async function audit(
  db: RunDatabase,
  rooms: string[],
  clients: ResumingClient[],
  ackBoundMs: number,
): Promise<{ problems: string[]; summary: Summary }> {
  const { rows, lastSeq } = await db.stream(rooms);
  const problems: string[] = [];
  const byRoom = new Map<string, StoredRow[]>(rooms.map((room) => [room, []]));
  for (const row of rows) byRoom.get(row.room)!.push(row);

  // The store itself: each room's stream is gap-free, 1..last_seq.
  for (const [room, stream] of byRoom) {
    const last = lastSeq.get(room) ?? 0;
    if (stream.length !== last || stream.some((row, i) => row.seq !== i + 1))
      problems.push(`store: ${room} holds ${stream.length} entries for last_seq ${last} (seq not gap-free)`);
  }

  // Every send: answered, acked consistently, in time, and stored as acked.
  const stored = new Map(rows.filter((r) => r.client_id !== null).map((r) => [`${r.room}\n${r.username}\n${r.client_id}`, r]));
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let refusals = 0;
  let sends = 0;
  for (const client of clients) {
    for (const error of client.errors) errors[error.code] = (errors[error.code] ?? 0) + 1;
    if (client.finalClose) problems.push(`${client.name}: closed for good with ${client.finalClose.code} ${client.finalClose.reason}`);
    const unacked: SendRecord[] = [];
    for (const send of client.sends.values()) {
      sends++;
      const what = `${client.name} send ${send.clientId} (${send.room})`;
      if (send.refused) {
        refusals++;
        problems.push(`${what} refused: ${send.refused.code} ${send.refused.message ?? ''}`);
        continue;
      }
      if (send.ackAt === undefined) {
        unacked.push(send);
        continue;
      }
      const latency = send.ackAt - send.firstAt;
      latencies.push(latency);
      if (latency > ackBoundMs) problems.push(`${what} acked after ${latency} ms (bound ${ackBoundMs} ms)`);
      const [first] = send.acks;
      if (send.acks.some((a) => a.id !== first!.id || a.seq !== first!.seq)) problems.push(`${what} acked differently: ${JSON.stringify(send.acks)}`);
      const row = stored.get(`${send.room}\n${send.user}\n${send.clientId}`);
      if (!row) problems.push(`${what} acked as seq ${first!.seq} but not in the store`);
      else if (row.id !== first!.id || row.seq !== first!.seq || row.body !== send.body)
        problems.push(`${what} acked as ${first!.seq}/${first!.id}, stored as ${row.seq}/${row.id}`);
    }
    if (unacked.length > 0) {
      const first = unacked[0]!;
      problems.push(
        `${client.name}: ${unacked.length} send(s) never acked nor refused, first ${first.clientId} (${first.room}, ${first.attempts} attempt(s), errors [${first.errors.map((e) => e.code).join(',')}])`,
      );
    }
  }

  // Every member: each stored entry of its rooms exactly once, in seq order, from seq 1 (its first join was since 0).
  let lost = 0;
  let doubled = 0;
  for (const client of clients) {
    for (const room of client.rooms) {
      const stream = byRoom.get(room)!;
      const got = client.received.get(room)!;
      const seen = new Set<number>();
      let dup = 0;
      let disorder = 0;
      let wrong = 0;
      got.forEach((m, i) => {
        if (seen.has(m.seq)) dup++;
        else if (i > 0 && m.seq < got[i - 1]!.seq) disorder++;
        seen.add(m.seq);
        const row = stream[m.seq - 1];
        if (!row || row.id !== m.id || row.body !== m.body) wrong++;
      });
      const missing = stream.filter((row) => !seen.has(row.seq)).map((row) => row.seq);
      lost += missing.length;
      doubled += dup;
      if (dup || disorder || wrong || missing.length) {
        const some = missing.slice(0, 8).join(',') + (missing.length > 8 ? ',…' : '');
        problems.push(
          `${client.name} in ${room}: ${missing.length} of ${stream.length} missing [${some}], ${dup} doubled, ${disorder} out of order, ${wrong} not as stored`,
        );
      }
    }
  }

  const reconnects = clients.flatMap((c) => c.reconnects);
  for (const client of clients) {
    const open = client.reconnects.filter((r) => r.rejoinedAt === undefined);
    if (open.length && !client.finalClose)
      problems.push(`${client.name}: never rejoined after losing node ${open[0]!.fromNode} (code ${open[0]!.code})`);
  }
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]! : 0);
  const summary: Summary = {
    sends,
    acked: latencies.length,
    refusals,
    errors,
    p50: pct(0.5),
    p99: pct(0.99),
    maxAckMs: latencies.at(-1) ?? 0,
    reconnects: reconnects.length,
    maxReconnectMs: Math.max(0, ...reconnects.map((r) => (r.rejoinedAt ?? Date.now()) - r.closedAt)),
    lost,
    doubled,
  };
  return { problems, summary };
}

export function formatSummary(name: string, s: Summary): string {
  const errors =
    Object.entries(s.errors)
      .map(([code, n]) => `${code}×${n}`)
      .join(' ') || 'none';
  return (
    `${name}: sends ${s.sends}, acked ${s.acked}, refusals ${s.refusals}, error frames ${errors}, ` +
    `ack p50 ${s.p50} ms p99 ${s.p99} ms max ${s.maxAckMs} ms, reconnects ${s.reconnects} (max ${s.maxReconnectMs} ms), ` +
    `lost deliveries ${s.lost}, doubled ${s.doubled}`
  );
}
