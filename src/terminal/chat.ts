// Node only (not part of the SDK): `parley chat`, a terminal client built on the SDK. It logs in with the
// password grant, keeps its token fresh with the refresh_token grant, and reconnects by itself.
//
// Chat lines go to stdout as `[HH:MM] user: body` (`#room ` first when it is not the room you are in), search
// results as `#room seq N [HH:MM] user: text` with the matches between `*`; a DM is named by the other people in
// it (`@jane, @carol`), never by its id. Everything about the connection goes to stderr. Lines starting with `/`
// are commands (COMMANDS); every message shown is reported read.
import readline from 'node:readline';
import { AuthError, connect, login, ParleyApi, type ParleyClient, SearchMarks, type TokenSession } from 'parley-chat-client';
import WebSocket from 'ws';
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

const COMMANDS = `commands: /join ROOM (a public room, made yours), /dm NAME [NAME…] (a DM, or a group DM), /rooms (yours, with unread
counts), /search TEXT (messages in every room you may read), /quit`;

/** Runs the chat until `/quit`, end of input, or the server ends the session; resolves with the exit code. */
export async function runChat(options: ChatOptions): Promise<number> {
  const interactive = process.stdin.isTTY === true && !options.passwordStdin;
  const password = interactive ? await promptHidden(`password for ${options.user}: `) : undefined;
  const rl = readline.createInterface({
    input: process.stdin,
    output: interactive ? process.stdout : undefined,
    terminal: interactive,
    prompt: '> ',
  });
  const lines = rl[Symbol.asyncIterator]();
  rl.on('SIGINT', () => rl.close()); // Ctrl-C on the terminal: leave like /quit
  try {
    const given = password ?? (await lines.next()).value;
    if (!given) {
      // Caught here: the server would only say "missing parameter: password".
      process.stderr.write(`parley: ${interactive ? 'no password given' : 'no password on standard input'}\n`);
      return 2;
    }
    return await chat(options, given, rl, lines, interactive);
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
  const note = (text: string): void => void (interactive ? say(text) : process.stderr.write(`${text}\n`));
  const fail = (text: string) => process.stderr.write(`parley: ${text}\n`);

  let session: TokenSession;
  try {
    session = await login(options.urls, options.user, password);
  } catch (error) {
    fail(loginFailure(error, options.urls));
    return 1;
  }

  const client = connect({ url: options.urls, token: session.accessToken, getToken: session.getToken, WebSocket });
  const api = new ParleyApi({ url: options.urls, token: session.accessToken, getToken: session.getToken });
  /** Where typed lines go. */
  let current = options.room;
  /** Who you are, as the server spells it (known once connected). */
  let me = options.user;
  /** Your DMs and who is in each: a DM's name is an id (`dm-…`), so it is shown by the other people in it. */
  const dms = new Map<string, string[]>();
  const others = (members: string[]) => {
    const rest = members.filter((member) => member !== me);
    return rest.length > 0 ? rest : members; // a DM with yourself
  };
  const label = (room: string) => {
    const members = dms.get(room);
    return members
      ? others(members)
          .map((member) => `@${clean(member)}`)
          .join(', ')
      : `#${clean(room)}`;
  };
  const learnDms = async () => {
    for (const room of await api.rooms()) if (room.kind === 'dm' && room.members) dms.set(room.name, room.members);
  };
  const where = (room: string) => (room === current ? '' : `${label(room)} `);
  let exitCode = 0;
  client.on('message', (m) => {
    say(`${where(m.room)}[${clock(m.ts)}] ${clean(m.user)}: ${m.deleted ? '(deleted)' : clean(m.body)}${m.editedAt ? ' (edited)' : ''}`);
    client.read(m.room, m.seq); // shown is read: other devices and GET /rooms count from here
  });
  client.on('edited', (m) => say(`${where(m.room)}[${clock(m.editedAt)}] ${clean(m.user)} (edited): ${clean(m.body)}`));
  client.on('deleted', (m) => say(`${where(m.room)}[${clock(Date.now())}] * ${clean(m.user)} deleted a message`));
  client.on('presence', (p) => note(`* ${clean(p.user)} is ${p.state}${p.room === current ? '' : ` in ${label(p.room)}`}`));
  client.on('mention', (m) => {
    if (!client.lastSeq(m.room)) note(`* ${clean(m.user)} mentioned you in ${label(m.room)} (/join it, or /rooms)`);
  });
  client.on('room_added', async (r) => {
    // A new DM's people are not in the frame: ask, so it is not announced by its id.
    if (r.kind === 'dm' && !dms.has(r.room)) await learnDms().catch(() => {});
    const what = r.kind === 'dm' ? `the DM with ${label(r.room)}` : label(r.room);
    note(`* ${what} is now yours (${r.reason}${r.by ? ` by ${clean(r.by)}` : ''})`);
  });
  client.on('room_removed', (r) => note(`* ${label(r.room)} is no longer yours (${r.reason}${r.by ? ` by ${clean(r.by)}` : ''})`));
  client.on('error', (e) => note(`! ${e.code}: ${clean(e.message)}`));
  client.on('status', (status) => {
    if (status.state === 'reconnecting') {
      const why = status.code ?? (status.error as Error | undefined)?.message;
      note(`* connection lost${why ? ` (${why})` : ''}; retrying in ${(status.delayMs / 1000).toFixed(1)} s`);
    } else if (status.state === 'open') {
      me = status.user;
      note(`* connected as ${status.user}`);
    } else if (status.state === 'closed' && status.code !== 1000) {
      note(`* disconnected: ${status.reason || status.code || (status.error as Error | undefined)?.message}`);
      exitCode = 1;
      rl.close(); // ends the input loop below
    }
  });

  try {
    await learnDms().catch(() => {}); // without it DMs show by id: worse, but no reason not to chat
    const { members } = await client.join(options.room);
    note(`* joined ${label(options.room)} (${members.map(clean).join(', ')} online); /quit to leave, /help for commands`);
  } catch (error) {
    fail(`cannot join ${options.room}: ${(error as Error).message}`);
    client.close();
    return 1;
  }

  const commands: Record<string, (args: string) => Promise<void>> = {
    help: async () => note(COMMANDS),
    join: async (room) => {
      await api.joinRoom(room);
      current = await enter(client, room);
      note(`* now in ${label(current)}`);
    },
    dm: async (names) => {
      const people = names.split(/[\s,]+/).filter(Boolean);
      if (people.length === 0) return note('! /dm NAME [NAME…]');
      const room = await api.openDm(people);
      dms.set(room.name, room.members ?? [me, ...people]);
      current = await enter(client, room.name);
      note(`* now in the DM with ${others(dms.get(room.name)!).map(clean).join(', ')}`);
    },
    rooms: async () => {
      for (const room of await api.rooms()) {
        if (room.kind === 'dm' && room.members) dms.set(room.name, room.members);
        const counts = room.unread ? ` ${room.unread} unread${room.mentions ? `, ${room.mentions} mentioning you` : ''}` : '';
        const title = room.kind === 'dm' ? '(DM)' : clean(room.title ?? room.name);
        say(`  ${label(room.name)} ${title}${counts}${room.muted ? ' (muted)' : ''}${room.name === current ? ' ← here' : ''}`);
      }
    },
    search: async (text) => {
      const hits = await api.search(text);
      if (hits.length === 0) return note(`* nothing matches "${clean(text)}"`);
      for (const hit of hits) {
        const snippet = clean(hit.snippet.replaceAll(SearchMarks.open, '*').replaceAll(SearchMarks.close, '*'));
        say(`  ${label(hit.room)} seq ${hit.seq} [${clock(hit.ts)}] ${clean(hit.user)}: ${snippet}`);
      }
    },
  };

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
    const command = /^\/([a-z]+)(?:\s+(.*))?$/.exec(line);
    if (command) {
      const run = commands[command[1]!];
      if (!run) {
        note(`! unknown command /${command[1]}; ${COMMANDS}`);
        continue;
      }
      await run(command[2]?.trim() ?? '').catch((error: Error) => note(`! /${command[1]}: ${clean(error.message)}`));
      continue;
    }
    const sent = client.send(current, line).catch((error: Error) => note(`! not sent: ${error.message}`));
    sending.add(sent);
    void sent.finally(() => sending.delete(sent));
  }
  // End of input with messages still on their way (a piped script): give them a moment to be stored.
  if (sending.size > 0) await Promise.race([Promise.all(sending), new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref())]);
  client.close();
  await session.revoke().catch(() => {});
  return exitCode;
}

/** Joins the room on the socket (if not yet) and makes it where typed lines go. */
async function enter(client: ParleyClient, room: string): Promise<string> {
  await client.join(room);
  return room;
}

/** Why login failed, in words: "fetch failed" alone does not tell a new user that the server is not there. */
function loginFailure(error: unknown, urls: string[]): string {
  if (error instanceof AuthError) return error.message;
  const unreachable = (error as Error).cause;
  if (!(unreachable instanceof Error)) return `cannot log in at ${urls.join(', ')}: ${(error as Error).message}`;
  // fetch's TypeError carries the socket's error, or an AggregateError of one per address tried.
  let reason = unreachable.cause as (Error & { code?: string; errors?: Error[] }) | undefined;
  if (reason?.errors?.[0]) reason = reason.errors[0];
  const why = reason?.message || reason?.code || unreachable.message;
  return urls.length > 1
    ? `cannot reach any Parley server at ${urls.join(', ')}: is one running? (${why})`
    : `cannot reach the Parley server at ${urls[0]}: is it running? (${why})`;
}

function clock(ms: number): string {
  const at = new Date(ms);
  return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
}

/** Other people's text must not drive the terminal: control and bidi characters are shown, not obeyed. */
function clean(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) =>
    c === '\n' ? '↵' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
