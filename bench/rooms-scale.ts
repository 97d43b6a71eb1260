// The room list at scale: one user in 500 rooms holding 100k messages (half of them unread, some mentioning
// them), and how long `GET /rooms` takes to read it — one query per area (rooms, unread messages, unread mentions,
// DM people), whatever the number of rooms. Run on the store itself (no HTTP), on SQLite and, with
// PARLEY_BENCH_POSTGRES_URL, on PostgreSQL:
//   npm run build && node dist/bench/rooms-scale.js [rooms] [messages]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPostgresStore } from '../src/store/postgres.js';
import { openSqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/store.js';

const ROOMS = Number(process.argv[2] ?? 500);
const MESSAGES = Number(process.argv[3] ?? 100_000);
const RUNS = 20;

async function seed(store: Store): Promise<void> {
  await store.migrate();
  await store.accounts.create({ username: 'reader', passwordHash: 'x', scopes: [] });
  await store.accounts.create({ username: 'writer', passwordHash: 'x', scopes: [] });
  const names = Array.from({ length: ROOMS }, (_, i) => `room-${String(i).padStart(4, '0')}`);
  for (const name of names) {
    await store.rooms.create({
      name,
      kind: 'public',
      owner: 'writer',
      members: [
        { username: 'writer', role: 'owner' },
        { username: 'reader', role: 'member' },
      ],
    });
  }
  const perRoom = Math.floor(MESSAGES / ROOMS);
  for (let start = 0; start < perRoom; start += 50) {
    const batch = names.flatMap((room) =>
      Array.from({ length: Math.min(50, perRoom - start) }, (_, i) => ({
        kind: 'message' as const,
        room,
        user: 'writer',
        body: `message ${start + i} about nothing much`,
        ...((start + i) % 20 === 0 ? { mentions: ['reader'] } : {}),
      })),
    );
    await store.entries.append(batch);
  }
  // Half of every room read.
  for (const name of names) await store.rooms.markRead(name, 'reader', Math.floor(perRoom / 2));
}

async function measure(label: string, store: Store): Promise<void> {
  const started = Date.now();
  await seed(store);
  const seeded = Date.now() - started;
  const times: number[] = [];
  let unread = 0;
  for (let run = 0; run < RUNS; run++) {
    const t0 = performance.now();
    const rooms = await store.rooms.mine('reader');
    const counts = await store.rooms.unread('reader');
    await store.rooms.dmMembers('reader');
    times.push(performance.now() - t0);
    unread = [...counts.values()].reduce((sum, c) => sum + c.messages, 0);
    if (rooms.length !== ROOMS) throw new Error(`expected ${ROOMS} rooms, got ${rooms.length}`);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(
    JSON.stringify({
      engine: label,
      rooms: ROOMS,
      messages: MESSAGES,
      unread,
      seededMs: seeded,
      medianMs: Number(median.toFixed(1)),
      p95Ms: Number(times[Math.floor(times.length * 0.95)]!.toFixed(1)),
    }),
  );
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-rooms-scale-'));
try {
  const sqlite = openSqliteStore(dir);
  await measure('sqlite', sqlite);
  await sqlite.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
const url = process.env.PARLEY_BENCH_POSTGRES_URL;
if (url) {
  const postgres = openPostgresStore(url, { timeoutMs: 60_000, onError: () => {} });
  await measure('postgres', postgres);
  await postgres.close();
}
