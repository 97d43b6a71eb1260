// The one place that reads the environment. Every setting is declared once in SETTINGS — variable, flag,
// default, what it means, how it is read — and the README's configuration table is generated from it.
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
    if (!Number.isInteger(number) || number < min || number > max) throw new ConfigError(`${label} must be a whole number from ${min} to ${max}, got "${value}"`);
    return number;
  };
}

function oneOf<T extends string>(...choices: T[]) {
  return (value: string, label: string) => {
    if (!(choices as string[]).includes(value)) throw new ConfigError(`${label} must be ${choices.map((c) => `"${c}"`).join(' or ')}, got "${value}"`);
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

function secret(value: string, label: string): string {
  if (Buffer.byteLength(value) < 32) throw new ConfigError(`${label} must be at least 32 bytes (256 bits) for HS256`);
  return value;
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
  dataDir: setting('PARLEY_DATA_DIR', 'data', './data', 'SQLite file `parley.db` and the generated signing key `jwt-signing.key` (mode 0600)', (value) => path.resolve(value)),
  jwtSecret: setting('PARLEY_JWT_SECRET', 'jwt-secret', undefined, 'HS256 secret (≥ 32 bytes) instead of the generated key; needed when several nodes share tokens', secret, 'generated'),
  accessTokenTtlSeconds: setting('PARLEY_ACCESS_TOKEN_TTL', 'access-token-ttl', '15m', 'access-token lifetime (`900`, `90s`, `15m`, `12h`, `30d`)', parseDuration),
  refreshTokenTtlSeconds: setting('PARLEY_REFRESH_TOKEN_TTL', 'refresh-token-ttl', '30d', 'refresh-token lifetime', parseDuration),
  refreshReuseGraceSeconds: setting('PARLEY_REFRESH_REUSE_GRACE', 'refresh-reuse-grace', '5s', 'a spent refresh token shown again this soon is a race: refused, login kept', parseDuration),
  expiryWarningSeconds: setting('PARLEY_EXPIRY_WARNING', 'expiry-warning', '60s', 'how long before `exp` an open socket gets `expiring`', parseDuration),
  oidcIssuer: setting('PARLEY_OIDC_ISSUER', 'oidc-issuer', undefined, 'accept access tokens of this OpenID provider (with `PARLEY_OIDC_JWKS_URL`)', text, 'none'),
  oidcJwksUrl: setting('PARLEY_OIDC_JWKS_URL', 'oidc-jwks-url', undefined, "the provider's JWKS, which verifies its tokens", url('http', 'https'), 'none'),
  oidcAudience: setting('PARLEY_OIDC_AUDIENCE', 'oidc-audience', undefined, 'the `aud` its tokens must carry', text, 'none'),
  oidcUsernameClaim: setting('PARLEY_OIDC_USERNAME_CLAIM', 'oidc-username-claim', 'preferred_username,sub', 'claims tried in order for the local username', list),
  oidcJwksCooldownSeconds: setting('PARLEY_OIDC_JWKS_COOLDOWN', 'oidc-jwks-cooldown', '30s', 'least time between two JWKS fetches', parseDuration),
  issuer: setting('PARLEY_ISSUER', 'issuer', 'parley', 'the `iss` Parley signs and requires', text),
  audience: setting('PARLEY_AUDIENCE', 'audience', 'parley', 'the `aud` Parley signs and requires', text),
  allowedOrigins: setting('PARLEY_ALLOWED_ORIGINS', 'allowed-origins', '', 'comma-separated origins allowed besides the server\'s own, for sockets and form posts', origins, 'none'),
  registration: setting(
    'PARLEY_REGISTRATION',
    'registration',
    'open',
    '`closed` turns off `/register`; the default until an admin sets it at run time (`PATCH /admin/settings`)',
    oneOf('open', 'closed'),
  ),
  loginRateLimit: setting('PARLEY_LOGIN_RATE_LIMIT', 'login-rate-limit', '30', 'attempts per minute per address and username at `/token`, `/login`, `/register`', wholeNumber(1)),
  wsFrameRate: setting('PARLEY_WS_FRAME_RATE', 'ws-frame-rate', '100', 'frames per second one socket may send (bursts of 4×); beyond, close `4029`', wholeNumber(1)),
  wsMaxBufferedBytes: setting('PARLEY_WS_MAX_BUFFERED', 'ws-max-buffered', '4m', 'unread bytes a socket may leave queued; beyond, close `1013` (slow consumer)', parseBytes),
  logLevel: setting('PARLEY_LOG_LEVEL', 'log-level', 'info', 'pino level (`silent` … `trace`)', oneOf('silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace')),
  databaseUrl: setting(
    'PARLEY_DATABASE_URL',
    'database-url',
    undefined,
    '`postgres://user@host/db` — PostgreSQL instead of SQLite (add `?options=-c%20search_path%3Dparley` for a schema of its own); the signing key stays in the data dir unless `PARLEY_JWT_SECRET` is set',
    url('postgres', 'postgresql'),
    'none',
  ),
  redisUrl: setting('PARLEY_REDIS_URL', 'redis-url', undefined, '`redis://…` — the Redis bus, for running several nodes (with PostgreSQL and a shared `PARLEY_JWT_SECRET`)', url('redis', 'rediss'), 'none'),
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

/** The CLI's flags: every setting by its flag name, and --demo. */
export const CONFIG_FLAGS = {
  ...Object.fromEntries(Object.values(SETTINGS).map((s) => [s.flag, { type: 'string' as const }])),
  demo: { type: 'boolean' as const },
};

/** Reads flags (already parsed by the CLI) over env over defaults, and fails naming the bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv, flags: Record<string, string | boolean | undefined> = {}): Config {
  const config: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(SETTINGS) as [SettingName, Setting<unknown>][]) {
    const given = flags[spec.flag] ?? env[spec.env];
    const value = typeof given === 'string' && given !== '' ? given : spec.fallback;
    config[name] = value === undefined ? undefined : spec.parse(value, `${spec.env} (--${spec.flag})`);
  }
  const result = config as Config;
  const label = (name: SettingName) => `${SETTINGS[name].env} (--${SETTINGS[name].flag})`;
  if ((result.oidcIssuer === undefined) !== (result.oidcJwksUrl === undefined)) {
    throw new ConfigError(`${label('oidcIssuer')} and ${label('oidcJwksUrl')} go together`);
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
  result.demo = flags.demo === true || env.PARLEY_DEMO === '1';
  return result;
}
