// Start-up failures that a person fixes by changing one setting: the port is taken, the host is not this
// machine's, the data directory cannot be one, the database refuses. Each becomes a ConfigError whose one sentence
// says what went wrong and which setting to change, so the CLI prints `parley: …` and exits 2 instead of a stack
// trace. Anything else is passed through untouched: a failure nobody expected should keep its stack. And one
// failure that must not stop start-up, since a node serves its own sockets without it: Redis away, said once.
import { ConfigError, SETTINGS, type SettingName } from './config.js';

const change = (name: SettingName) => `--${SETTINGS[name].flag} or ${SETTINGS[name].env}`;

/** A failed listen on `host`:`port`, set by the settings `host` and `port` (the main or the metrics listener). */
export function listenError(error: unknown, host: string, port: number, settings: { host: SettingName; port: SettingName }): unknown {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EADDRINUSE':
      return new ConfigError(`port ${port} on ${host} is already in use (another Parley?); choose another with ${change(settings.port)}`);
    case 'EACCES':
      return new ConfigError(`port ${port} on ${host} needs privileges this process does not have; choose another with ${change(settings.port)}`);
    case 'EADDRNOTAVAIL':
      return new ConfigError(`cannot listen on ${host}: it is not an address of this machine; choose another with ${change(settings.host)}`);
    case 'ENOTFOUND':
      return new ConfigError(`cannot listen on ${host}: no such host name; choose another with ${change(settings.host)}`);
    default:
      return error;
  }
}

const DATA_DIR_REASONS: Record<string, string> = {
  EEXIST: 'it is a file, not a directory',
  ENOTDIR: 'part of its path is a file, not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
};

/** A data directory that cannot be created or written to. */
export function dataDirError(error: unknown, dataDir: string): unknown {
  const reason = DATA_DIR_REASONS[(error as NodeJS.ErrnoException).code ?? ''];
  if (!reason) return error;
  return new ConfigError(`cannot use ${dataDir} as the data directory: ${reason}; choose another with ${change('dataDir')}`);
}

/** A data directory that a command other than `serve` would have to create: most likely a mistyped --data. */
export function missingDataDirError(dataDir: string): ConfigError {
  const { flag, env } = SETTINGS.dataDir;
  return new ConfigError(`no Parley data directory at ${dataDir} (start the server with --${flag} ${dataDir} first, or check --${flag} / ${env})`);
}

/**
 * A PostgreSQL that cannot be reached or will not let Parley in: a network error (ECONNREFUSED, ENOTFOUND, …)
 * or a SQLSTATE of class 08 (connection), 28 (authentication) or 3D (no such database). The driver's reason is
 * kept; the URL is shown without its password, which is also blanked out of the reason should it appear there.
 */
export function databaseError(error: unknown, databaseUrl: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^(E[A-Z]+|08...|28...|3D...)$/.test(code)) return error;
  const { shown, password } = withoutPassword(databaseUrl);
  const message = (error as Error).message;
  const reason = password ? message.replaceAll(password, '***') : message;
  return new ConfigError(`cannot use the PostgreSQL database${shown ? ` ${shown}` : ''}: ${reason}; check ${change('databaseUrl')}`);
}

/** A service URL fit to print (no password; empty when it is not a URL), and the password to blank out of reasons. */
export function withoutPassword(serviceUrl: string): { shown: string; password: string } {
  try {
    const url = new URL(serviceUrl);
    return {
      shown: `${url.protocol}//${url.username ? `${url.username}@` : ''}${url.host}${url.pathname}`,
      password: decodeURIComponent(url.password),
    };
  } catch {
    return { shown: '', password: '' };
  }
}

/**
 * What a Redis connection (bus, presence, rate limits) says while Redis cannot be reached: ioredis retries every
 * 2 s and reports each failure, which was four stack traces every 2 s. Now one line names the outage, what the node
 * does meanwhile and which setting to check, then at most one a minute with how many failures it stood for.
 */
export function redisOutageLog(log: { warn(fields: object, message: string): void }, redisUrl: string, part: string, everyMs = 60_000) {
  const { shown, password } = withoutPassword(redisUrl);
  let saidAt = Number.NEGATIVE_INFINITY;
  let unsaid = 0;
  return (error: unknown): void => {
    const now = Date.now();
    if (now - saidAt < everyMs) {
      unsaid++;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    log.warn(
      { part, reason: password ? message.replaceAll(password, '***') : message, ...(unsaid > 0 ? { failuresSinceLastLine: unsaid } : {}) },
      `Redis${shown ? ` at ${shown}` : ''} cannot be reached (${part}): this node serves its own sockets, /readyz answers 503 until Redis answers; check ${change('redisUrl')}`,
    );
    saidAt = now;
    unsaid = 0;
  };
}
