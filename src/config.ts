// The one place that reads the environment. Everything else receives a validated Config.
import path from 'node:path';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** postgres://… selects PostgreSQL; absent means SQLite in dataDir. */
  databaseUrl?: string;
  /** redis://… selects the Redis bus; absent means the in-process bus. */
  redisUrl?: string;
  /** Channel prefix on Redis, so several Parleys (or test runs) can share one. */
  redisPrefix: string;
  /** Origins allowed to open a socket or post a form besides the server's own. */
  allowedOrigins: string[];
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** A spent refresh token presented again within this long is a race (two tabs), not a theft: refused, family kept. */
  refreshReuseGraceSeconds: number;
  registration: 'open' | 'closed';
  /** Shared HS256 secret; absent means a key generated into dataDir on first start. */
  jwtSecret?: string;
  issuer: string;
  audience: string;
  /** Attempts per minute per client address and username at /token and /login. */
  loginRateLimit: number;
  /** Frames per second one socket may send (bursts of four times that); beyond, it is closed with 4029. */
  wsFrameRate: number;
  /** How long before `exp` an open socket is sent `expiring`. */
  expiryWarningSeconds: number;
  /** An external OpenID provider whose access tokens are accepted besides Parley's own. */
  oidc?: {
    issuer: string;
    jwksUrl: string;
    audience?: string;
    /** Claims tried in order for the local username. */
    usernameClaims: string[];
    /** Least time between two JWKS fetches (an unknown `kid` triggers one: key rotation). */
    jwksCooldownMs: number;
  };
  demo: boolean;
  logLevel: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Option name (as a flag, kebab-case) → environment variable. Flags win over the environment. */
const OPTIONS = {
  host: 'PARLEY_HOST',
  port: 'PARLEY_PORT',
  data: 'PARLEY_DATA_DIR',
  'database-url': 'PARLEY_DATABASE_URL',
  'redis-url': 'PARLEY_REDIS_URL',
  'redis-prefix': 'PARLEY_REDIS_PREFIX',
  'allowed-origins': 'PARLEY_ALLOWED_ORIGINS',
  'access-token-ttl': 'PARLEY_ACCESS_TOKEN_TTL',
  'refresh-token-ttl': 'PARLEY_REFRESH_TOKEN_TTL',
  'refresh-reuse-grace': 'PARLEY_REFRESH_REUSE_GRACE',
  registration: 'PARLEY_REGISTRATION',
  'jwt-secret': 'PARLEY_JWT_SECRET',
  issuer: 'PARLEY_ISSUER',
  audience: 'PARLEY_AUDIENCE',
  'login-rate-limit': 'PARLEY_LOGIN_RATE_LIMIT',
  'expiry-warning': 'PARLEY_EXPIRY_WARNING',
  'ws-frame-rate': 'PARLEY_WS_FRAME_RATE',
  'oidc-issuer': 'PARLEY_OIDC_ISSUER',
  'oidc-jwks-url': 'PARLEY_OIDC_JWKS_URL',
  'oidc-audience': 'PARLEY_OIDC_AUDIENCE',
  'oidc-username-claim': 'PARLEY_OIDC_USERNAME_CLAIM',
  'oidc-jwks-cooldown': 'PARLEY_OIDC_JWKS_COOLDOWN',
  'log-level': 'PARLEY_LOG_LEVEL',
} as const;

type OptionName = keyof typeof OPTIONS;

export const CONFIG_FLAGS = {
  ...Object.fromEntries(Object.keys(OPTIONS).map((name) => [name, { type: 'string' as const }])),
  demo: { type: 'boolean' as const },
};

/** Reads flags (already parsed by the CLI) over env over defaults, and fails naming the bad setting. */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  flags: Partial<Record<OptionName, string>> & { demo?: boolean } = {},
): Config {
  const raw = (name: OptionName): string | undefined => {
    const value = flags[name] ?? env[OPTIONS[name]];
    return value === undefined || value === '' ? undefined : value;
  };
  const label = (name: OptionName) => `${OPTIONS[name]} (--${name})`;

  const port = Number(raw('port') ?? '8000');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${label('port')} must be a port number 0-65535, got "${raw('port')}"`);
  }
  const registration = raw('registration') ?? 'open';
  if (registration !== 'open' && registration !== 'closed') {
    throw new ConfigError(`${label('registration')} must be "open" or "closed", got "${registration}"`);
  }
  const databaseUrl = raw('database-url');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`${label('database-url')} must be a postgres:// URL`);
  }
  const redisUrl = raw('redis-url');
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) {
    throw new ConfigError(`${label('redis-url')} must be a redis:// URL`);
  }
  const jwtSecret = raw('jwt-secret');
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret) < 32) {
    throw new ConfigError(`${label('jwt-secret')} must be at least 32 bytes (256 bits) for HS256`);
  }
  const positive = (name: OptionName, fallback: string) => {
    const value = Number(raw(name) ?? fallback);
    if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${label(name)} must be a positive whole number`);
    return value;
  };
  const loginRateLimit = positive('login-rate-limit', '30');
  const wsFrameRate = positive('ws-frame-rate', '100');

  const oidcIssuer = raw('oidc-issuer');
  const oidcJwksUrl = raw('oidc-jwks-url');
  if ((oidcIssuer === undefined) !== (oidcJwksUrl === undefined)) {
    throw new ConfigError(`${label('oidc-issuer')} and ${label('oidc-jwks-url')} go together`);
  }
  if (oidcJwksUrl !== undefined && !/^https?:\/\//.test(oidcJwksUrl)) {
    throw new ConfigError(`${label('oidc-jwks-url')} must be an http(s) URL`);
  }
  const oidc =
    oidcIssuer && oidcJwksUrl
      ? {
          issuer: oidcIssuer,
          jwksUrl: oidcJwksUrl,
          audience: raw('oidc-audience'),
          usernameClaims: (raw('oidc-username-claim') ?? 'preferred_username,sub').split(',').map((c) => c.trim()).filter(Boolean),
          jwksCooldownMs: parseDuration(raw('oidc-jwks-cooldown') ?? '30s', label('oidc-jwks-cooldown')) * 1000,
        }
      : undefined;

  return {
    host: raw('host') ?? '127.0.0.1',
    port,
    dataDir: path.resolve(raw('data') ?? './data'),
    databaseUrl,
    redisUrl,
    redisPrefix: raw('redis-prefix') ?? 'parley:',
    allowedOrigins: parseOrigins(raw('allowed-origins'), label('allowed-origins')),
    accessTokenTtlSeconds: parseDuration(raw('access-token-ttl') ?? '15m', label('access-token-ttl')),
    refreshTokenTtlSeconds: parseDuration(raw('refresh-token-ttl') ?? '30d', label('refresh-token-ttl')),
    refreshReuseGraceSeconds: parseDuration(raw('refresh-reuse-grace') ?? '5s', label('refresh-reuse-grace')),
    registration,
    jwtSecret,
    issuer: raw('issuer') ?? 'parley',
    audience: raw('audience') ?? 'parley',
    loginRateLimit,
    wsFrameRate,
    expiryWarningSeconds: parseDuration(raw('expiry-warning') ?? '60s', label('expiry-warning')),
    oidc,
    demo: flags.demo ?? env.PARLEY_DEMO === '1',
    logLevel: raw('log-level') ?? 'info',
  };
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "900", "90s", "15m", "12h", "30d" → seconds. */
export function parseDuration(text: string, label: string): number {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[match[2] || 's']! : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new ConfigError(`${label} must be a duration such as 900, 90s, 15m, 12h or 30d, got "${text}"`);
  }
  return seconds;
}

function parseOrigins(text: string | undefined, label: string): string[] {
  if (!text) return [];
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      try {
        const url = new URL(item);
        if (url.origin === 'null') throw new Error('opaque');
        return url.origin;
      } catch {
        throw new ConfigError(`${label} must be a comma-separated list of origins like https://chat.example, got "${item}"`);
      }
    });
}

