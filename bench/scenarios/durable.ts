// Durable acks per second, closed loop (Parley only): senders keep a window of un-acked `send`s in flight;
// an `ack` comes only after the message's transaction committed. On SQLite (WAL, synchronous=FULL) and on
// PostgreSQL (127.0.0.1:5432, a fresh schema per run, dropped after).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { ServerProcess } from '../server-process.js';
import { Histogram, sleep } from '../stats.js';
import { type Bench, type CaseResult, caseResult, type Figures, fmt, interleave, LOADGEN_METRIC, OTHERS_METRIC, timed } from './common.js';

const POSTGRES = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function durable(bench: Bench): Promise<CaseResult[]> {
  const senders = 4;
  const window = 32;
  const seconds = bench.quick ? 1 : 3;
  const title = `durable acks, closed loop (${senders} senders × ${window} in flight)`;
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES, connectionTimeoutMillis: 3000 });
  let postgres: string | undefined;
  try {
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    postgres = `${POSTGRES}?options=-c%20search_path%3D${schema}`;
  } catch (error) {
    bench.log(`  durable: PostgreSQL at ${POSTGRES} unavailable (${(error as Error).message}); SQLite only`);
  }
  const servers: Record<string, ServerProcess> = {};
  try {
    servers.sqlite = await bench.startServer('parley', {}, 'parley-sqlite');
    if (postgres) servers.postgres = await bench.startServer('parley', { BENCH_DATABASE_URL: postgres }, 'parley-postgres');
    const columns = Object.keys(servers);
    const runs = await interleave(bench, title, columns, (store) => ackRun(bench, servers[store]!, senders, window, seconds), {
      show: (f) => `${fmt(f.rate!)} acks/s, p50 ${fmt(f.p50Ms!)} ms, p99 ${fmt(f.p99Ms!)} ms, ${fmt(f.cpuPerOp!)} µs/ack`,
    });
    return [
      caseResult(
        bench,
        'durable',
        title,
        [
          { key: 'rate', label: 'durable acks/s', better: 'higher' },
          { key: 'p50Ms', label: 'p50 send→ack (ms)', better: 'lower' },
          { key: 'p99Ms', label: 'p99 send→ack (ms)', better: 'lower' },
          { key: 'cpuPerOp', label: 'server CPU µs per ack', better: 'lower' },
          LOADGEN_METRIC,
          OTHERS_METRIC,
        ],
        runs,
        { sqlite: 'Parley on SQLite', postgres: 'Parley on PostgreSQL' },
        {
          subject: 'postgres',
          skipped: postgres ? {} : { postgres: `PostgreSQL at ${POSTGRES} unavailable` },
          notes: ["server CPU excludes PostgreSQL's own processes"],
        },
      ),
    ];
  } finally {
    await Promise.all(Object.values(servers).map((s) => s.stop()));
    if (postgres) await admin.query(`drop schema ${schema} cascade`).catch(() => {});
    await admin.end().catch(() => {});
  }
}

async function ackRun(bench: Bench, server: ServerProcess, senders: number, window: number, seconds: number): Promise<Figures> {
  const target = bench.target('parley', server);
  const sockets = await Promise.all(
    Array.from({ length: senders }, async () => {
      const ws = await target.openChat();
      await target.join(ws);
      return ws;
    }),
  );
  const latency = new Histogram();
  let acks = 0;
  const tag = randomBytes(6).toString('hex');
  const { ms, serverCpu, loadgen, others } = await timed(server, async () => {
    const endsAt = performance.now() + seconds * 1000;
    await Promise.all(
      sockets.map(
        (ws, s) =>
          new Promise<void>((resolve, reject) => {
            const sentAt = new Map<string, number>();
            let n = 0;
            const send = () => {
              const clientId = `${tag}.${s}.${n++}`;
              sentAt.set(clientId, performance.now());
              ws.sendText(target.sendFrame(`durable ${clientId}`, clientId));
            };
            ws.onFrame = (buf, start, end, now) => {
              // Only acks matter here; the broadcast copies of every sender's messages are skipped unparsed.
              if (buf.toString('latin1', start, Math.min(end, start + 14)) !== '{"type":"ack",') {
                if (buf.toString('latin1', start, Math.min(end, start + 15)) === '{"type":"error"')
                  reject(new Error(buf.toString('utf8', start, end)));
                return;
              }
              const { clientId } = JSON.parse(buf.toString('utf8', start, end)) as { clientId: string };
              const t = sentAt.get(clientId);
              if (t === undefined) return;
              sentAt.delete(clientId);
              latency.record(now - t);
              acks++;
              if (now < endsAt) send();
              else if (sentAt.size === 0) resolve();
            };
            for (let i = 0; i < window; i++) send();
          }),
      ),
    );
  });
  await Promise.all(sockets.map((ws) => ws.close()));
  await sleep(100);
  return { rate: (acks / ms) * 1000, p50Ms: latency.percentile(0.5), p99Ms: latency.percentile(0.99), cpuPerOp: serverCpu / acks, loadgen, others };
}
