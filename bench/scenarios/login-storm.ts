// Login storm (Parley only): a small steady chat load, open loop, with its delivery latency measured quiet and
// then while N clients post password logins (POST /token) back to back. argon2id runs on worker threads, but
// those share the server's core: the ratio storm / quiet says how much logins cost everyone's chat.
import { type Bench, type CaseResult, caseResult, type Figures, fmt, interleave, LOADGEN_METRIC, OTHERS_METRIC, withServers } from './common.js';
import { Members, openLoopRun } from './open-loop.js';

export async function loginStorm(bench: Bench): Promise<CaseResult[]> {
  const receivers = 50;
  const rate = 100; // messages/s → 5,000 deliveries/s
  const logins = 20;
  const seconds = bench.quick ? 1.5 : 3;
  const title = `login storm (${logins} concurrent logins; chat 1 room × ${receivers}, ${rate} msgs/s)`;
  const runs = await withServers(bench, ['parley'], async (servers) => {
    const server = servers.get('parley')!;
    const members = new Members(bench.target('parley', server), receivers, 1);
    try {
      return await interleave(
        bench,
        title,
        ['quiet', 'storm'],
        (phase) =>
          openLoopRun(members, server, {
            rate,
            seconds,
            graceMs: 2000,
            during: phase === 'storm' ? (endsAt) => storm(server.port, logins, endsAt) : undefined,
          }),
        {
          show: (f) =>
            `p50 ${fmt(f.p50Ms!)} ms, p99 ${fmt(f.p99Ms!)} ms, ${(f.delivered! * 100).toFixed(1)}% delivered${f.logins ? `, ${fmt(f.logins)} logins/s` : ''}`,
        },
      );
    } finally {
      await members.close();
    }
  });
  return [
    caseResult(
      bench,
      'login-storm',
      title,
      [
        { key: 'p50Ms', label: 'chat p50 latency (ms)', better: 'lower' },
        { key: 'p99Ms', label: 'chat p99 latency (ms)', better: 'lower' },
        { key: 'delivered', label: 'delivered fraction', better: 'higher' },
        { key: 'logins', label: 'logins/s', better: 'info' },
        LOADGEN_METRIC,
        OTHERS_METRIC,
      ],
      runs,
      { quiet: 'quiet', storm: `during ${logins} logins` },
      { subject: 'storm', skipped: {} },
    ),
  ];
}

/** `concurrency` clients logging in back to back until `endsAt`; answers logins/s. */
async function storm(port: number, concurrency: number, endsAt: number): Promise<Figures> {
  let done = 0;
  const t0 = performance.now();
  const client = async () => {
    while (performance.now() < endsAt) {
      const response = await fetch(`http://127.0.0.1:${port}/token`, {
        method: 'POST',
        body: new URLSearchParams({ username: 'johndoe', password: 'secret' }),
        signal: AbortSignal.timeout(10_000),
      });
      if (response.status !== 200) throw new Error(`POST /token: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return { logins: (done / (performance.now() - t0)) * 1000 };
}
