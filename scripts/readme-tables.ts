// The README's protocol and configuration tables, rendered from the code that defines them: the frame schemas'
// descriptions, the error and close-code catalogues (packages/protocol) and SETTINGS (src/config.ts). The README
// holds them between `<!-- generated:NAME -->` and `<!-- /generated -->`; `npm run docs` rewrites those blocks,
// and test/readme.test.ts fails when one is stale. Run as a script, it rewrites README.md.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ClientFrames,
  CloseCodeRanges,
  CloseCodes,
  type CloseEvent,
  ErrorCodes,
  type ErrorSpec,
  type Reconnect,
  ServerFrames,
} from 'parley-chat-protocol';
import type { TSchema } from 'typebox';
import { DEMO_USERS } from '../src/auth/accounts.js';
import { DEMO_SWITCH, SETTINGS } from '../src/config.js';

/** A table cell: pipes escaped, and `<` outside code spans too (`Bearer <token>` is not an HTML tag). */
const cell = (text: string) =>
  text
    .split('`')
    .map((part, i) => (i % 2 === 0 ? part.replace(/</g, '&lt;') : part))
    .join('`')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ');
const code = (text: string) => `\`${text}\``;

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`)].join('\n');
}

/** `join {room, since?}`: the frame's type and fields (`ref`, which any frame may carry, left out). */
function signature(type: string, schema: TSchema & { properties?: Record<string, unknown>; required?: string[] }): string {
  const fields = Object.keys(schema.properties ?? {})
    .filter((name) => name !== 'type' && name !== 'ref')
    .map((name) => (schema.required?.includes(name) ? name : `${name}?`));
  return code(fields.length ? `${type} {${fields.join(', ')}}` : type);
}

function frameTable(heading: string, frames: Record<string, TSchema>): string {
  return table(
    [heading, 'meaning'],
    Object.entries(frames).map(([type, schema]) => [signature(type, schema), (schema as { description?: string }).description ?? '']),
  );
}

const where: Record<string, string> = { 'http,ws': 'both', http: 'HTTP', ws: 'socket' };

function errorTable(): string {
  return table(
    ['code', 'HTTP status', 'retryable', 'where', 'default message'],
    (Object.entries(ErrorCodes) as [string, ErrorSpec][]).map(([name, spec]) => [
      code(name),
      String(spec.status),
      spec.retryable ? 'yes' : 'no',
      where[spec.on.join(',')] ?? spec.on.join(', '),
      spec.message,
    ]),
  );
}

const POLICY: Record<Reconnect, string> = {
  now: 'reconnect at once (to another node)',
  backoff: 'reconnect (with backoff)',
  new_token: 'reconnect with a new token',
  never: 'do not reconnect',
};

function closeTable(): string {
  // Codes the catalogue lists twice (1008 for two reasons) share a row; their policies agree.
  const byCode = new Map<number, CloseEvent[]>();
  for (const event of Object.values(CloseCodes) as CloseEvent[]) byCode.set(event.code, [...(byCode.get(event.code) ?? []), event]);
  const rows = [...byCode].map(([number, events]) => [
    code(String(number)),
    events.map((event) => code(event.reason)).join(', '),
    POLICY[events[0]!.reconnect],
    events.map((event) => event.description).join('; or '),
  ]);
  const ranges = CloseCodeRanges.map((range) => `${range.from}–${range.to}: ${POLICY[range.reconnect]}`).join('; ');
  const fallback = `A code not listed falls back to its range — ${ranges}; any other (\`1006\`: the connection dropped): ${POLICY.backoff}.`;
  return `${table(['code', 'reason', 'the client should', 'meaning'], rows)}\n\n${fallback}`;
}

function configTable(): string {
  const rows = Object.values(SETTINGS).map((setting) => {
    const shown = 'shownDefault' in setting ? setting.shownDefault : undefined;
    const fallback = shown ?? (setting.fallback === undefined ? 'none' : code(setting.fallback));
    return [code(setting.env), code(`--${setting.flag}`), fallback, setting.meaning];
  });
  const users = DEMO_USERS.map((user) => code(user.username)).join(' and ');
  rows.push([code(`${DEMO_SWITCH.env}=1`), code(`--${DEMO_SWITCH.flag}`), 'off', `${DEMO_SWITCH.meaning}: ${users}`]);
  return table(['variable', 'flag', 'default', 'meaning'], rows);
}

/** Every generated block of the README, by name. */
export function readmeTables(): Record<string, string> {
  return {
    'frames-client': frameTable('client → server', ClientFrames),
    'frames-server': frameTable('server → client', ServerFrames),
    'error-codes': errorTable(),
    'close-codes': closeTable(),
    config: configTable(),
  };
}

const BLOCK = /<!-- generated:([a-z-]+) -->\n([\s\S]*?)<!-- \/generated -->/g;

/** The README with every generated block rewritten, and the names of those that changed or are missing. */
export function updateReadme(readme: string, tables = readmeTables()): { text: string; stale: string[]; missing: string[] } {
  const stale: string[] = [];
  const seen = new Set<string>();
  const text = readme.replace(BLOCK, (whole, name: string, body: string) => {
    const fresh = tables[name];
    if (fresh === undefined) return whole;
    seen.add(name);
    if (body !== `${fresh}\n`) stale.push(name);
    return `<!-- generated:${name} -->\n${fresh}\n<!-- /generated -->`;
  });
  return { text, stale, missing: Object.keys(tables).filter((name) => !seen.has(name)) };
}

export const README_PATH = fileURLToPath(new URL('../../README.md', import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { text, stale, missing } = updateReadme(fs.readFileSync(README_PATH, 'utf8'));
  if (missing.length) {
    console.error(`README.md has no <!-- generated:NAME --> block for: ${missing.join(', ')}`);
    process.exitCode = 1;
  }
  fs.writeFileSync(README_PATH, text);
  console.log(stale.length ? `README.md: rewrote ${stale.join(', ')}` : 'README.md: every generated table is up to date');
}
