// The one place that reads the environment. Every setting is declared once in SETTINGS — variable, flag,
// default, what it means, how it is read — and the README's configuration table is generated from it.
import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

interface Setting<T> {
  env: string;
  flag: string;
  /** As a user would type it; undefined: unset unless given. */
  fallback: string | undefined;
  /** For the README: what the setting means. */
  meaning: string;
  /** For the README, when the default is not a literal value. */
  shownDefault?: string;
  parse(value: string, label: string): T;
}

const setting = <T, F extends string | undefined>(
  env: string,
  flag: string,
  fallback: F,
  meaning: string,
  parse: (value: string, label: string) => T,
  shownDefault?: string,
): Setting<T> & { fallback: F } => ({
  env,
  flag,
  fallback,
  meaning,
  parse,
  ...(shownDefault ? { shownDefault } : {}),
});

const text = (value: string) => value;

function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string, label: string) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < min || number > max)
      throw new ConfigError(`${label} must be a whole number from ${min} to ${max}, got "${value}"`);
    return number;
  };
}

function oneOf<T extends string>(...choices: T[]) {
  return (value: string, label: string) => {
    if (!(choices as string[]).includes(value))
      throw new ConfigError(`${label} must be ${choices.map((c) => `"${c}"`).join(' or ')}, got "${value}"`);
    return value as T;
  };
}

function url(...protocols: string[]) {
  return (value: string, label: string) => {
    if (!protocols.some((p) => value.startsWith(`${p}://`))) throw new ConfigError(`${label} must be a ${protocols.join(' or ')}:// URL`);
    return value;
  };
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "900", "90s", "15m", "12h", "30d" → seconds (fractions allowed: "1.5s"). */
export function parseDuration(value: string, label: string): number {
  const seconds = durationOrZero(value, label);
  if (seconds <= 0) throw new ConfigError(`${label} must be a duration such as 900, 90s, 15m, 12h or 30d, got "${value}"`);
  return seconds;
}

/** A duration that may be 0 ("0": do not wait). */
function durationOrZero(value: string, label: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/.exec(value.trim());
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[match[2] || 's']! : NaN;
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new ConfigError(`${label} must be a duration such as 900, 90s, 15m, 12h or 30d, got "${value}"`);
  }
  return seconds;
}

const BYTE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** "4194304", "512k", "4m" → bytes. */
function parseBytes(value: string, label: string): number {
  const match = /^(\d+)\s*([kmg]?)i?b?$/i.exec(value.trim());
  const bytes = match ? Number(match[1]) * BYTE_UNITS[match[2]!.toLowerCase()]! : NaN;
  if (!Number.isFinite(bytes) || bytes <= 0) throw new ConfigError(`${label} must be a size such as 65536, 512k or 4m, got "${value}"`);
  return bytes;
}

/** An http(s) origin — scheme, host, port; no path — as the URL clients use to reach the server. */
function publicOrigin(value: string, label: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    // reported below
  }
  const bare = parsed && parsed.pathname === '/' && !parsed.search && !parsed.hash && !parsed.username && !parsed.password;
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || !bare) {
    const wanted = 'the http(s) URL clients use to reach the server, without a path, like https://chat.example';
    throw new ConfigError(`${label} must be ${wanted}, got "${value}"`);
  }
  return parsed.origin;
}

function origins(value: string, label: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      try {
        const parsed = new URL(item);
        if (parsed.origin === 'null') throw new Error('opaque');
        return parsed.origin;
      } catch {
        throw new ConfigError(`${label} must be a comma-separated list of origins like https://chat.example, got "${item}"`);
      }
    });
}

function metricsToken(value: string, label: string): string {
  if (value.length < 16) throw new ConfigError(`${label} must be at least 16 characters`);
  return value;
}

function secret(value: string, label: string): string {
  if (Buffer.byteLength(value) < 32) throw new ConfigError(`${label} must be at least 32 bytes (256 bits) for HS256`);
  return value;
}

/**
 * Fastify's `trustProxy`: a hop count, or the proxies' addresses and CIDR ranges (proxy-addr also knows the
 * names loopback, linklocal and uniquelocal). Off unless set: then X-Forwarded-* is ignored.
 */
function proxies(value: string, label: string): number | string[] | false {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed === 'off' || trimmed === 'false') return false;
  if (/^\d+$/.test(trimmed)) return wholeNumber(1, 100)(trimmed, label);
  const items = list(trimmed);
  for (const item of items) {
    const [address, prefix, ...rest] = item.split('/');
    const family = isIP(address ?? '');
    const named = ['loopback', 'linklocal', 'uniquelocal'].includes(item);
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (!named && (family === 0 || !prefixOk || rest.length > 0)) {
      throw new ConfigError(`${label} must be a hop count or a comma-separated list of addresses and CIDR ranges such as 10.0.0.0/8, got "${item}"`);
    }
  }
  return items;
}

const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** Every setting, in the order the README lists them. */
export const SETTINGS = {
  host: setting('PARLEY_HOST', 'host', '127.0.0.1', 'listen address', text),
  port: setting('PARLEY_PORT', 'port', '8000', 'listen port (`0`: any free port)', wholeNumber(0, 65535)),
  dataDir: setting(
    'PARLEY_DATA_DIR',
    'data',
    './data',
    'SQLite file `parley.db` and the generated signing key `jwt-signing.key` (mode 0600)',
    (value) => path.resolve(value),
  ),
  jwtSecret: setting(
    'PARLEY_JWT_SECRET',
    'jwt-secret',
    undefined,
    'HS256 secret (≥ 32 bytes) instead of the generated key; needed when several nodes share tokens',
    secret,
    'generated',
  ),
  accessTokenTtlSeconds: setting(
    'PARLEY_ACCESS_TOKEN_TTL',
    'access-token-ttl',
    '15m',
    'access-token lifetime (`900`, `90s`, `15m`, `12h`, `30d`)',
    parseDuration,
  ),
  refreshTokenTtlSeconds: setting('PARLEY_REFRESH_TOKEN_TTL', 'refresh-token-ttl', '30d', 'refresh-token lifetime', parseDuration),
  refreshReuseGraceSeconds: setting(
    'PARLEY_REFRESH_REUSE_GRACE',
    'refresh-reuse-grace',
    '5s',
    'a spent refresh token shown again this soon is a race: refused, login kept',
    parseDuration,
  ),
  expiryWarningSeconds: setting(
    'PARLEY_EXPIRY_WARNING',
    'expiry-warning',
    '60s',
    'how long before `exp` an open socket gets `expiring`; must be below the token lifetime (unset, it is at most half of it)',
    parseDuration,
  ),
  oidcIssuer: setting(
    'PARLEY_OIDC_ISSUER',
    'oidc-issuer',
    undefined,
    'accept access tokens of this OpenID provider (with `PARLEY_OIDC_JWKS_URL`)',
    text,
    'none',
  ),
  oidcJwksUrl: setting(
    'PARLEY_OIDC_JWKS_URL',
    'oidc-jwks-url',
    undefined,
    "the provider's JWKS, which verifies its tokens",
    url('http', 'https'),
    'none',
  ),
  oidcAudience: setting('PARLEY_OIDC_AUDIENCE', 'oidc-audience', undefined, 'the `aud` its tokens must carry', text, 'none'),
  oidcUsernameClaim: setting(
    'PARLEY_OIDC_USERNAME_CLAIM',
    'oidc-username-claim',
    'preferred_username,sub',
    'claims tried in order for the local username',
    list,
  ),
  oidcJwksCooldownSeconds: setting('PARLEY_OIDC_JWKS_COOLDOWN', 'oidc-jwks-cooldown', '30s', 'least time between two JWKS fetches', parseDuration),
  publicUrl: setting(
    'PARLEY_PUBLIC_URL',
    'public-url',
    undefined,
    'the URL clients reach the server by (scheme, host, port; no path): the OAuth2 issuer in `/.well-known/oauth-authorization-server` and in tokens, and the base of the endpoints listed there; set it behind a proxy and on every node of a cluster',
    publicOrigin,
    '`http://{host}:{port}` as listening',
  ),
  issuer: setting(
    'PARLEY_ISSUER',
    'issuer',
    undefined,
    'the `iss` Parley signs and requires, when it must differ from the public URL (it used to be `parley`: set that to keep older tokens valid)',
    text,
    'the public URL',
  ),
  audience: setting('PARLEY_AUDIENCE', 'audience', 'parley', 'the `aud` Parley signs and requires', text),
  allowedOrigins: setting(
    'PARLEY_ALLOWED_ORIGINS',
    'allowed-origins',
    '',
    "comma-separated origins allowed besides the server's own: for sockets and form posts, and for CORS on the token, ticket, discovery and bearer API routes (no cookies cross-origin)",
    origins,
    'none',
  ),
  registration: setting(
    'PARLEY_REGISTRATION',
    'registration',
    'open',
    '`closed` turns off `/register`; the default until an admin sets it at run time (`PATCH /admin/settings`)',
    oneOf('open', 'closed'),
  ),
  loginRateLimit: setting(
    'PARLEY_LOGIN_RATE_LIMIT',
    'login-rate-limit',
    '30',
    'attempts per minute for one username, from any address, at `/token`, `/login`, `/register` and password changes together; ' +
      'also per refresh token (every node together when `PARLEY_REDIS_URL` is set)',
    wholeNumber(1),
  ),
  addressRateLimit: setting(
    'PARLEY_ADDRESS_RATE_LIMIT',
    'address-rate-limit',
    '300',
    'requests per minute from one client address to the endpoints that check passwords or refresh tokens (every node together with Redis)',
    wholeNumber(1),
  ),
  trustProxy: setting(
    'PARLEY_TRUST_PROXY',
    'trust-proxy',
    undefined,
    'the reverse proxies in front: a hop count, or their addresses/CIDR ranges, comma-separated. Then `X-Forwarded-For` gives the client address ' +
      '(rate limits, logs) and `X-Forwarded-Proto: https` makes the session cookies `Secure`',
    proxies,
    'off',
  ),
  metricsToken: setting(
    'PARLEY_METRICS_TOKEN',
    'metrics-token',
    undefined,
    '`GET /metrics` answers only with `Authorization: Bearer <this>` (≥ 16 characters); without it, and without a metrics port, `/metrics` is off (404)',
    metricsToken,
    'none',
  ),
  metricsHost: setting(
    'PARLEY_METRICS_HOST',
    'metrics-host',
    '127.0.0.1',
    'listen address of the metrics listener (with `PARLEY_METRICS_PORT`)',
    text,
  ),
  metricsPort: setting(
    'PARLEY_METRICS_PORT',
    'metrics-port',
    undefined,
    'serve `/metrics` on a listener of its own (for the scraper, on a private address); the token, if set, is required there too',
    wholeNumber(0, 65535),
    'none',
  ),
  wsFrameRate: setting(
    'PARLEY_WS_FRAME_RATE',
    'ws-frame-rate',
    '100',
    'frames per second one socket may send (bursts of 4×); beyond, close `4029`',
    wholeNumber(1),
  ),
  wsMaxBufferedBytes: setting(
    'PARLEY_WS_MAX_BUFFERED',
    'ws-max-buffered',
    '4m',
    "unread bytes the server may hold for one socket (either endpoint); past it the socket is closed `1013` (slow consumer), whatever the client sends — a replay is paced by the client's reading instead",
    parseBytes,
  ),
  wsMaxPendingFrames: setting(
    'PARLEY_WS_MAX_PENDING_FRAMES',
    'ws-max-pending-frames',
    '1000',
    'frames one `/ws` socket may have sent that still wait to be handled (frames are handled in order, so they pile up behind a join whose replay the client does not read); past it, close `4030`',
    wholeNumber(1),
  ),
  wsMaxPendingBytes: setting(
    'PARLEY_WS_MAX_PENDING',
    'ws-max-pending',
    '4m',
    'the same budget in bytes: frames waiting to be handled on one socket, all together',
    parseBytes,
  ),
  wsHeartbeatSeconds: setting(
    'PARLEY_WS_HEARTBEAT',
    'ws-heartbeat',
    '30s',
    'every socket is pinged this often; it is dropped when it has not echoed the previous ping, or when it had unread data and read none of it in between',
    parseDuration,
  ),
  maxSocketsPerUser: setting(
    'PARLEY_MAX_SOCKETS_PER_USER',
    'max-sockets-per-user',
    '20',
    'open WebSockets (both endpoints) one user may hold on this node — per node, not across the cluster; the next handshake is refused with HTTP 429 `too_many_sockets` before the upgrade',
    wholeNumber(1),
  ),
  maxConnectionsPerAddress: setting(
    'PARLEY_MAX_CONNECTIONS_PER_ADDRESS',
    'max-connections-per-address',
    '128',
    "HTTP connections one peer address may hold open at once (WebSockets excepted: they count as sockets per user); past it a new connection is reset. Behind a proxy every client has the proxy's address: raise it, or `0` turns it off",
    wholeNumber(0),
  ),
  headersTimeoutSeconds: setting(
    'PARLEY_HEADERS_TIMEOUT',
    'headers-timeout',
    '10s',
    "a request's headers must arrive within this (answered `408 request_timeout`), and a WebSocket handshake must be through the gate within it again after its headers",
    parseDuration,
  ),
  requestTimeoutSeconds: setting(
    'PARLEY_REQUEST_TIMEOUT',
    'request-timeout',
    '30s',
    'a whole request, body included, must arrive within this (`408 request_timeout`)',
    parseDuration,
  ),
  idleTimeoutSeconds: setting(
    'PARLEY_IDLE_TIMEOUT',
    'idle-timeout',
    '60s',
    'an HTTP connection with no traffic either way for this long is closed, mid-response too (a client that stops reading); WebSockets have the heartbeat instead',
    parseDuration,
  ),
  keepAliveTimeoutSeconds: setting(
    'PARLEY_KEEP_ALIVE_TIMEOUT',
    'keep-alive-timeout',
    '72s',
    "an idle keep-alive connection is closed after this; behind a load balancer keep it above the balancer's own idle timeout",
    parseDuration,
  ),
  hashConcurrency: setting(
    'PARLEY_HASH_CONCURRENCY',
    'hash-concurrency',
    String(Math.max(1, os.availableParallelism() - 1)),
    'password hashes (argon2id: sign-in, registration, and the decoy for unknown users) computed at once; the rest wait, so a login storm cannot take the CPU chat needs',
    wholeNumber(1),
    'CPU cores − 1 (at least 1)',
  ),
  hashQueue: setting(
    'PARLEY_HASH_QUEUE',
    'hash-queue',
    '32',
    'password hashes that may wait for a free hasher; past it a sign-in is answered at once with `503 unavailable` and `Retry-After`',
    wholeNumber(0),
  ),
  roomsPerHour: setting(
    'PARLEY_ROOMS_PER_HOUR',
    'rooms-per-hour',
    '20',
    '`POST /rooms` attempts one user may make per hour (every node together when `PARLEY_REDIS_URL` is set); past it `429 too_many_requests` with `Retry-After`',
    wholeNumber(1),
  ),
  logLevel: setting(
    'PARLEY_LOG_LEVEL',
    'log-level',
    'info',
    'pino level (`silent` … `trace`)',
    oneOf('silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'),
  ),
  databaseUrl: setting(
    'PARLEY_DATABASE_URL',
    'database-url',
    undefined,
    '`postgres://user@host/db` — PostgreSQL instead of SQLite (add `?options=-c%20search_path%3Dparley` for a schema of its own); the signing key stays in the data dir unless `PARLEY_JWT_SECRET` is set',
    url('postgres', 'postgresql'),
    'none',
  ),
  redisUrl: setting(
    'PARLEY_REDIS_URL',
    'redis-url',
    undefined,
    '`redis://…` — the Redis bus, for running several nodes (with PostgreSQL and a shared `PARLEY_JWT_SECRET`)',
    url('redis', 'rediss'),
    'none',
  ),
  redisPrefix: setting('PARLEY_REDIS_PREFIX', 'redis-prefix', 'parley:', 'channel prefix, so several Parleys can share one Redis', text),
  storeTimeoutSeconds: setting(
    'PARLEY_STORE_TIMEOUT',
    'store-timeout',
    '5s',
    'the longest one database call may take; a send that cannot be stored in time is refused with the retryable `unavailable`',
    parseDuration,
  ),
  drainDelaySeconds: setting(
    'PARLEY_DRAIN_DELAY',
    'drain-delay',
    '2s',
    'on SIGTERM, how long `/readyz` says 503 (and new sockets are refused) before open sockets are drained — time for a load balancer to notice',
    durationOrZero,
  ),
  shutdownTimeoutSeconds: setting(
    'PARLEY_SHUTDOWN_TIMEOUT',
    'shutdown-timeout',
    '10s',
    'on SIGTERM, the process exits within this, drained or not',
    parseDuration,
  ),
} as const;

type Settings = typeof SETTINGS;
export type SettingName = keyof Settings;
type Parsed<K extends SettingName> = ReturnType<Settings[K]['parse']>;

export type Config = { [K in SettingName]: Settings[K]['fallback'] extends string ? Parsed<K> : Parsed<K> | undefined } & {
  /** The external OpenID provider, when both its issuer and JWKS are set. */
  oidc?: { issuer: string; jwksUrl: string; audience?: string | undefined; usernameClaims: string[]; jwksCooldownMs: number };
  demo: boolean;
};

/** `--demo` / `PARLEY_DEMO=1`: a switch, not a value, so it sits beside SETTINGS (and last in the README's table). */
export const DEMO_SWITCH = { env: 'PARLEY_DEMO', flag: 'demo', meaning: 'seed the demo users (never in production)' } as const;

/** A switch in the environment: 1, true, yes, on or 0, false, no, off, in any case; unset or empty is off. */
function switchedOn(value: string | undefined, label: string): boolean {
  const word = value?.trim().toLowerCase() ?? '';
  if (['1', 'true', 'yes', 'on'].includes(word)) return true;
  if (['', '0', 'false', 'no', 'off'].includes(word)) return false;
  throw new ConfigError(`${label} must be 1, true, yes or on (or 0, false, no, off), got "${value}"`);
}

/** The CLI's flags: every setting by its flag name, and --demo. */
export const CONFIG_FLAGS = {
  ...Object.fromEntries(Object.values(SETTINGS).map((s) => [s.flag, { type: 'string' as const }])),
  [DEMO_SWITCH.flag]: { type: 'boolean' as const },
};

/** Reads flags (already parsed by the CLI) over env over defaults, and fails naming the bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv, flags: Record<string, string | boolean | undefined> = {}): Config {
  const config: Record<string, unknown> = {};
  const given = (spec: Setting<unknown>) => {
    const value = flags[spec.flag] ?? env[spec.env];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  for (const [name, spec] of Object.entries(SETTINGS) as [SettingName, Setting<unknown>][]) {
    const value = given(spec) ?? spec.fallback;
    config[name] = value === undefined ? undefined : spec.parse(value, `${spec.env} (--${spec.flag})`);
  }
  const result = config as Config;
  const label = (name: SettingName) => `${SETTINGS[name].env} (--${SETTINGS[name].flag})`;
  if ((result.oidcIssuer === undefined) !== (result.oidcJwksUrl === undefined)) {
    throw new ConfigError(`${label('oidcIssuer')} and ${label('oidcJwksUrl')} go together`);
  }
  if (result.headersTimeoutSeconds > result.requestTimeoutSeconds) {
    throw new ConfigError(`${label('headersTimeoutSeconds')} must not be longer than ${label('requestTimeoutSeconds')}`);
  }
  if (result.oidcIssuer && result.oidcJwksUrl) {
    result.oidc = {
      issuer: result.oidcIssuer,
      jwksUrl: result.oidcJwksUrl,
      audience: result.oidcAudience,
      usernameClaims: result.oidcUsernameClaim,
      jwksCooldownMs: result.oidcJwksCooldownSeconds * 1000,
    };
  }
  // A socket is warned before its token expires; a warning as long as the token makes every tab refresh the
  // moment it is warned, again and again. An explicit bad pair is refused; the default adapts to a short token.
  if (result.expiryWarningSeconds >= result.accessTokenTtlSeconds) {
    if (given(SETTINGS.expiryWarningSeconds) !== undefined) {
      throw new ConfigError(
        `${label('expiryWarningSeconds')} (${result.expiryWarningSeconds}s) must be shorter than ${label('accessTokenTtlSeconds')} ` +
          `(${result.accessTokenTtlSeconds}s): a socket is warned that long before its token expires`,
      );
    }
    result.expiryWarningSeconds = result.accessTokenTtlSeconds / 2;
  }
  result.demo = flags[DEMO_SWITCH.flag] === true || switchedOn(env[DEMO_SWITCH.env], `${DEMO_SWITCH.env} (--${DEMO_SWITCH.flag})`);
  return result;
}
