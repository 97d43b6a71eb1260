// parley serve | chat | user add/list/passwd/disable/enable | migrate
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_ROOM, ParleyError } from 'parley-chat-protocol';
import { AccountService, normalizeUsername } from './auth/accounts.js';
import { DEFAULT_SCOPES } from './auth/principal.js';
import { CONFIG_FLAGS, type Config, ConfigError, loadConfig } from './config.js';
import { listenError, missingDataDirError } from './startup-errors.js';
import { openStore } from './store/open.js';
import { promptHidden } from './terminal/prompt.js';

const USAGE = `usage:
  parley serve [--port N] [--host H] [--data DIR] [--demo] [...]   run the server
  parley chat --user NAME [--url URL ...] [--room ROOM]           chat in the terminal (password prompted);
                                                                   several --url (or URL,URL): the nodes of a cluster
  parley user add NAME [--password-stdin] [--admin]               create a user (password prompted)
  parley user list                                                 list users
  parley user passwd NAME [--password-stdin]                      set a user's password; ends every login of the user
  parley user disable NAME | parley user enable NAME              block (ends every login) or unblock a user
  parley migrate                                                   bring the database schema up to date

Every command takes the configuration flags (see README): --data, --database-url, ...`;

/** The command line itself is wrong: its sentence, then the usage. */
class UsageError extends Error {}
/** A well-formed command that cannot be done (no such user, no password): its sentence alone, for the usage would not help. */
class CommandError extends Error {}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...CONFIG_FLAGS,
      'password-stdin': { type: 'boolean' },
      admin: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      url: { type: 'string', multiple: true },
      user: { type: 'string' },
      room: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return void console.log(USAGE);
  const [command, sub, name] = positionals;
  if (command === 'chat') {
    // A client: no server configuration is read, and only the SDK and ws are loaded.
    if (!values.user) throw new UsageError('chat needs --user NAME');
    const { runChat } = await import('./terminal/chat.js');
    const urls = (values.url ?? ['http://127.0.0.1:8000'])
      .flatMap((url) => url.split(','))
      .map((url) => url.trim())
      .filter(Boolean);
    process.exitCode = await runChat({
      urls,
      user: values.user,
      room: values.room ?? DEFAULT_ROOM,
      passwordStdin: values['password-stdin'] ?? false,
    });
    return;
  }
  const { url: _urls, ...settings } = values;
  const config = loadConfig(process.env, settings);

  switch (command) {
    case undefined:
    case 'serve':
      return serve(config);
    case 'migrate': {
      const store = await openStore(config);
      await store.close();
      return void console.log(`schema is up to date in ${config.dataDir}`);
    }
    case 'user':
      return userCommand(config, sub, name, { passwordStdin: values['password-stdin'] ?? false, admin: values.admin ?? false });
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function serve(config: Config): Promise<void> {
  // Loaded only here: the user commands should not pay for Fastify and every plugin.
  const { buildServer } = await import('./server.js');
  const app = await buildServer(config);
  let stopping = false;
  // SIGTERM drains (see FastifyInstance.drain) and exits 0; a second signal, or the shutdown bound, exits at once.
  const stop = (signal: string) => {
    if (stopping) return process.exit(1);
    stopping = true;
    const bound = config.shutdownTimeoutSeconds * 1000;
    setTimeout(() => {
      app.log.error(`${signal}: not drained within ${bound / 1000} s; exiting anyway`);
      process.exit(1);
    }, bound).unref();
    app.log.info(`${signal}: draining, then shutting down (within ${bound / 1000} s)`);
    app
      .drain()
      .then(() => app.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          app.log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const address = await app.listen({ host: config.host, port: config.port }).catch((error: unknown) => {
    throw listenError(error, config.host, config.port, { host: 'host', port: 'port' });
  });
  if (!(await app.hasUsers())) {
    app.log.info(
      `No users yet: open ${address}/register to create one, or run \`npx parley user add NAME\` (or start with --demo); the first account is the server's admin.`,
    );
  }
}

async function userCommand(
  config: Config,
  sub: string | undefined,
  name: string | undefined,
  flags: { passwordStdin: boolean; admin: boolean },
): Promise<void> {
  // openStore would create a missing directory: right for a server, but for `list`, `passwd`, … it means a mistyped
  // --data, and an empty database made there would answer with nothing. `add` may make it: an operator provisions
  // the first account before the first start. It then says where, so a typo shows.
  const fresh = !config.databaseUrl && !fs.existsSync(config.dataDir);
  if (fresh && sub !== 'add') throw missingDataDirError(config.dataDir);
  const store = await openStore(config);
  const accounts = new AccountService(store.accounts);
  try {
    switch (sub) {
      case 'add': {
        if (!name) throw new UsageError('user add NAME');
        const username = normalizeUsername(name);
        const password = await readPassword(flags.passwordStdin, `password for ${username}: `);
        const scopes = flags.admin ? [...DEFAULT_SCOPES, 'admin'] : DEFAULT_SCOPES;
        const user = await accounts.register(username, password, scopes);
        const first = user.scopes.includes('admin') && !flags.admin ? ': the first user, so an admin' : '';
        const where = fresh ? ` (a new data directory: ${config.dataDir})` : '';
        return void console.log(`created user ${username} (${user.scopes.join(' ')})${first}${where}`);
      }
      case 'passwd': {
        if (!name) throw new UsageError('user passwd NAME');
        const username = normalizeUsername(name);
        if (!(await store.accounts.find(username))) throw new CommandError(`no user named ${name}`);
        const password = await readPassword(flags.passwordStdin, `new password for ${username}: `);
        await accounts.resetPassword(username, password);
        return void console.log(`changed the password of ${username}; every login of ${username} has ended`);
      }
      case 'list': {
        const users = await store.accounts.list();
        // On stderr: stdout stays one tab-separated line per user for scripts, and this is not one.
        if (users.length === 0) console.error('no users yet');
        for (const user of users) {
          console.log(
            `${user.username}\t${user.disabled ? 'disabled' : 'active'}\t${user.scopes.join(' ')}\t${new Date(user.createdAt).toISOString()}`,
          );
        }
        return;
      }
      case 'disable':
      case 'enable': {
        if (!name) throw new UsageError(`user ${sub} NAME`);
        if (!(await store.accounts.setDisabled(normalizeUsername(name), sub === 'disable'))) throw new CommandError(`no user named ${name}`);
        return void console.log(`${sub}d user ${name}`);
      }
      default:
        throw new UsageError(`unknown user command "${sub ?? ''}"`);
    }
  } finally {
    await store.close();
  }
}

/** From stdin when asked to or when it is not a terminal, else a hidden prompt; never empty. */
async function readPassword(fromStdin: boolean, question: string): Promise<string> {
  const piped = fromStdin || !process.stdin.isTTY;
  const password = piped ? await readStdin() : await promptHidden(question);
  if (!password) throw new CommandError(piped ? 'no password on standard input' : 'no password given');
  return password;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (
    error instanceof ConfigError ||
    error instanceof UsageError ||
    error instanceof CommandError ||
    (error instanceof ParleyError && error.status < 500)
  ) {
    console.error(`parley: ${error.message}`);
    if (error instanceof UsageError) console.error(USAGE);
    process.exit(2);
  }
  if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`parley: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
