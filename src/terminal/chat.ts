// Node only (not part of the SDK): `parley chat`, a terminal client built on the SDK. It logs in with the
// password grant, keeps its token fresh with the refresh_token grant, and reconnects by itself.
//
// Chat lines go to stdout as `[HH:MM] user: body`; everything about the connection goes to stderr.
import readline from 'node:readline';
import WebSocket from 'ws';
import { AuthError, type TokenSession, connect, login } from 'parley-chat-client';
import { promptHidden } from './prompt.js';

export interface ChatOptions {
  /** The server, or the servers of one cluster: the client moves to the next when one fails or drains. */
  urls: string[];
  user: string;
  room: string;
  /** Read the password from the first line of stdin instead of prompting (for scripts and tests). */
  passwordStdin: boolean;
}

/** How long stdin's end waits for messages still on their way before closing. */
const DRAIN_MS = 10_000;

/** Runs the chat until `/quit`, end of input, or the server ends the session; resolves with the exit code. */
export async function runChat(options: ChatOptions): Promise<number> {
  const interactive = process.stdin.isTTY === true && !options.passwordStdin;
  const password = interactive ? await promptHidden(`password for ${options.user}: `) : undefined;
  const rl = readline.createInterface({ input: process.stdin, output: interactive ? process.stdout : undefined, terminal: interactive, prompt: '> ' });
  const lines = rl[Symbol.asyncIterator]();
  rl.on('SIGINT', () => rl.close()); // Ctrl-C on the terminal: leave like /quit
  try {
    return await chat(options, password ?? (await lines.next()).value ?? '', rl, lines, interactive);
  } finally {
    rl.close();
  }
}

async function chat(
  options: ChatOptions,
  password: string,
  rl: readline.Interface,
  lines: AsyncIterator<string>,
  interactive: boolean,
): Promise<number> {
  const say = (text: string) => {
    if (interactive) {
      readline.clearLine(process.stdout, 0);
      readline.cursorTo(process.stdout, 0);
    }
    process.stdout.write(`${text}\n`);
    if (interactive) rl.prompt(true);
  };
  const note = (text: string) => (interactive ? say(text) : process.stderr.write(`${text}\n`));
  const fail = (text: string) => process.stderr.write(`parley: ${text}\n`);

  let session: TokenSession;
  try {
    session = await login(options.urls, options.user, password);
  } catch (error) {
    fail(error instanceof AuthError ? error.message : `cannot log in at ${options.urls.join(', ')}: ${(error as Error).message}`);
    return 1;
  }

  const client = connect({ url: options.urls, token: session.accessToken, getToken: session.getToken, WebSocket });
  let exitCode = 0;
  client.on('message', (m) => say(`[${clock(m.ts)}] ${clean(m.user)}: ${m.deleted ? '(deleted)' : clean(m.body)}${m.editedAt ? ' (edited)' : ''}`));
  client.on('edited', (m) => say(`[${clock(m.editedAt)}] ${clean(m.user)} (edited): ${clean(m.body)}`));
  client.on('deleted', (m) => say(`[${clock(Date.now())}] * ${clean(m.user)} deleted a message`));
  client.on('presence', (p) => note(`* ${clean(p.user)} is ${p.state}`));
  client.on('error', (e) => note(`! ${e.code}: ${clean(e.message)}`));
  client.on('status', (status) => {
    if (status.state === 'reconnecting') {
      const why = status.code ?? (status.error as Error | undefined)?.message;
      note(`* connection lost${why ? ` (${why})` : ''}; retrying in ${(status.delayMs / 1000).toFixed(1)} s`);
    } else if (status.state === 'open') {
      note(`* connected as ${status.user}`);
    } else if (status.state === 'closed' && status.code !== 1000) {
      note(`* disconnected: ${status.reason || status.code || (status.error as Error | undefined)?.message}`);
      exitCode = 1;
      rl.close(); // ends the input loop below
    }
  });

  try {
    const { members } = await client.join(options.room);
    note(`* joined #${options.room} (${members.map(clean).join(', ')} online); /quit to leave`);
  } catch (error) {
    fail(`cannot join ${options.room}: ${(error as Error).message}`);
    client.close();
    return 1;
  }

  const sending = new Set<Promise<unknown>>();
  if (interactive) rl.prompt();
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    const line = next.value.trim();
    if (line === '/quit') break;
    if (interactive) {
      // The line comes back from the server as a chat line; do not leave the typed copy above it.
      readline.moveCursor(process.stdout, 0, -1);
      readline.clearLine(process.stdout, 0);
      rl.prompt();
    }
    if (!line) continue;
    const sent = client.send(options.room, line).catch((error: Error) => note(`! not sent: ${error.message}`));
    sending.add(sent);
    void sent.finally(() => sending.delete(sent));
  }
  // End of input with messages still on their way (a piped script): give them a moment to be stored.
  if (sending.size > 0) await Promise.race([Promise.all(sending), new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref())]);
  client.close();
  await session.revoke().catch(() => {});
  return exitCode;
}

function clock(ms: number): string {
  const at = new Date(ms);
  return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
}

/** Other people's text must not drive the terminal: control and bidi characters are shown, not obeyed. */
function clean(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) =>
    c === '\n' ? '↵' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
