// Presence across nodes, in Redis. Each (room, user) has a sorted set of the nodes that hold a socket of the user
// in the room, scored by when that record expires; each room has a set of its users. Nodes renew their records
// by heartbeat, so the records of a node that died expire within `ttlMs`, and the next heartbeat of any node that
// serves the room sweeps them and announces those users offline — exactly one node, because the sweep is one
// atomic script. Every operation is one script call; if Redis is away the call fails fast and the chat falls back
// to what this node knows. (The scripts touch keys they compute themselves: fine on one Redis, not on a cluster.)
import { Redis } from 'ioredis';

const ARRIVE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
local others = redis.call('ZCARD', KEYS[1])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then others = others - 1 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
if others == 0 then return 1 end
return 0`;

// Answers 1 only to the caller that takes the user out of the room's set: one announcement, whoever else races.
const DEPART = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
redis.call('DEL', KEYS[1])
return redis.call('SREM', KEYS[2], ARGV[3])`;

const RENEW = `
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return 1`;

// Answers {online users, users whose last record had expired} and removes the latter from the room.
const SWEEP = `
local online, expired = {}, {}
for _, user in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = ARGV[2] .. user
  redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[1])
  if redis.call('ZCARD', key) > 0 then
    table.insert(online, user)
  elseif redis.call('SREM', KEYS[1], user) == 1 then
    table.insert(expired, user)
  end
end
return {online, expired}`;

type Scripts = {
  arrive(nodes: string, users: string, node: string, now: number, expires: number, user: string, keepMs: number): Promise<number>;
  depart(nodes: string, users: string, node: string, now: number, user: string): Promise<number>;
  renew(nodes: string, users: string, node: string, expires: number, user: string, keepMs: number): Promise<number>;
  sweep(users: string, now: number, nodesPrefix: string): Promise<[string[], string[]]>;
};

export class RedisPresence {
  private readonly redis: Redis & Scripts;

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly node: string,
    /** How long a record lives without renewal: a dead node's users go offline within this plus one heartbeat. */
    private readonly ttlMs: number,
    onError: (error: unknown) => void,
  ) {
    // Fail fast while Redis is away (every command within a second): presence is best effort, and the chat falls
    // back to this node's view.
    const redis = new Redis(url, { commandTimeout: 1000, maxRetriesPerRequest: 1, retryStrategy: (times) => Math.min(100 * 2 ** times, 2000) });
    redis.on('error', onError);
    redis.defineCommand('arrive', { numberOfKeys: 2, lua: ARRIVE });
    redis.defineCommand('depart', { numberOfKeys: 2, lua: DEPART });
    redis.defineCommand('renew', { numberOfKeys: 2, lua: RENEW });
    redis.defineCommand('sweep', { numberOfKeys: 1, lua: SWEEP });
    this.redis = redis as Redis & Scripts;
  }

  private nodesKey = (room: string, user: string) => `${this.prefix}presence:${room}:u:${user}`;
  private usersKey = (room: string) => `${this.prefix}presence:${room}`;

  async arrive(room: string, user: string): Promise<boolean> {
    const now = Date.now();
    return (await this.redis.arrive(this.nodesKey(room, user), this.usersKey(room), this.node, now, now + this.ttlMs, user, this.ttlMs * 2)) === 1;
  }

  async depart(room: string, user: string): Promise<boolean> {
    return (await this.redis.depart(this.nodesKey(room, user), this.usersKey(room), this.node, Date.now(), user)) === 1;
  }

  async online(room: string): Promise<string[]> {
    const [online] = await this.redis.sweep(this.usersKey(room), Date.now(), this.nodesKey(room, ''));
    return online.sort();
  }

  async heartbeat(local: ReadonlyMap<string, readonly string[]>): Promise<{ room: string; user: string }[]> {
    const expires = Date.now() + this.ttlMs;
    const renewals = [...local].flatMap(([room, users]) =>
      users.map((user) => this.redis.renew(this.nodesKey(room, user), this.usersKey(room), this.node, expires, user, this.ttlMs * 2)),
    );
    await Promise.all(renewals);
    const expired: { room: string; user: string }[] = [];
    for (const room of local.keys()) {
      const [, gone] = await this.redis.sweep(this.usersKey(room), Date.now(), this.nodesKey(room, ''));
      for (const user of gone) expired.push({ room, user });
    }
    return expired;
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
