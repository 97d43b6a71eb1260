// Start-up failures that a person fixes by changing one setting: the port is taken, the host is not this
// machine's, the data directory cannot be one, the database refuses. Each becomes a ConfigError whose one sentence
// says what went wrong and which setting to change, so the CLI prints `parley: …` and exits 2 instead of a stack
// trace. Anything else is passed through untouched: a failure nobody expected should keep its stack.
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
  let shown = 'the PostgreSQL database';
  let password = '';
  try {
    const url = new URL(databaseUrl);
    password = decodeURIComponent(url.password);
    shown += ` ${url.protocol}//${url.username ? `${url.username}@` : ''}${url.host}${url.pathname}`;
  } catch {
    // not a URL after all: named by the setting alone
  }
  const message = (error as Error).message;
  const reason = password ? message.replaceAll(password, '***') : message;
  return new ConfigError(`cannot use ${shown}: ${reason}; check ${change('databaseUrl')}`);
}
