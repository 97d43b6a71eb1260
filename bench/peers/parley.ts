// Parley as a user runs it (demo users, SQLite in a fresh temp dir, or PostgreSQL when the runner passes a
// URL), through its one public API: loadConfig + buildServer. What the bench changes, and why:
// - logging off (the console would be measured);
// - the shared JWT secret, so one token minted by the load generator works on every peer;
// - PARLEY_WS_FRAME_RATE lifted: fan-out senders offer up to 1000 frames/s each (the check still runs per frame);
// - PARLEY_LOGIN_RATE_LIMIT and PARLEY_ADDRESS_RATE_LIMIT lifted: the login storm posts hundreds of logins a minute for one user from one address;
// - PARLEY_MAX_SOCKETS_PER_USER and PARLEY_MAX_CONNECTIONS_PER_ADDRESS lifted: thousands of sockets, one user, one address.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { buildServer } from '../../src/server.js';
import { ISSUER } from './jwt.js';
import type { Started } from './started.js';

export async function startParley(env: Record<string, string | undefined>): Promise<Started> {
  // The runner makes (and removes) the data dir; alone, this makes its own.
  const dataDir = env.BENCH_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'parley-bench-'));
  const config = loadConfig(
    {
      PARLEY_LOG_LEVEL: 'silent',
      PARLEY_WS_FRAME_RATE: '1000000',
      PARLEY_LOGIN_RATE_LIMIT: '1000000',
      PARLEY_ADDRESS_RATE_LIMIT: '1000000',
      PARLEY_MAX_SOCKETS_PER_USER: '1000000',
      PARLEY_MAX_CONNECTIONS_PER_ADDRESS: '0',
      PARLEY_JWT_SECRET: env.BENCH_JWT_SECRET,
      // Every peer checks the same issuer (jwt.ts), which the bench's tokens carry.
      PARLEY_ISSUER: ISSUER,
      PARLEY_DATABASE_URL: env.BENCH_DATABASE_URL,
    },
    { port: '0', data: dataDir, demo: true },
  );
  const app = await buildServer(config);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    port: (app.server.address() as { port: number }).port,
    async stop() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
