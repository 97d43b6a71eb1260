// The SDK as a consumer gets it: `npm pack` both packages, install the two tarballs into a scratch project (with
// `ws` and the type packages, from the registry or npm's cache), compile a program under strict consumer
// settings — nodenext and bundler resolution; no DOM and no Node types, Node types, DOM — and run it against a
// live Parley: log in with the password grant, connect, join, send, get the ack. The READMEs' examples compile too.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type RunningServer, startServer, tempDir } from '../helpers.js';

const run = promisify(execFile);
// This file runs as dist/test/packaging/sdk.test.js: the repository root is three levels up.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSC = path.join(ROOT, 'node_modules/.bin/tsc');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const PACKAGES = ['parley-chat-protocol', 'parley-chat-client'] as const;

/** The versions this repository is tested with, so that npm's cache can answer. */
function pinned(name: string): string {
  const require = createRequire(path.join(ROOT, 'package.json'));
  return `${name}@${(require(`${name}/package.json`) as { version: string }).version}`;
}

/** Runs a command; on failure, the assertion shows what it printed. */
async function sh(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run(command, args, { cwd, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, npm_config_update_notifier: 'false' } });
    return stdout;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    assert.fail(`${command} ${args.join(' ')} failed in ${cwd}:\n${failed.stdout ?? ''}\n${failed.stderr ?? failed.message}`);
  }
}

// ---- the consumer's program
const APP = `import { AuthError, type ConnectOptions, type Message, type WebSocketConstructor, connect, login } from 'parley-chat-client';
import { CloseCodes, ErrorCodes, type ServerFrame } from 'parley-chat-protocol';

export interface Outcome {
  user: string;
  members: string[];
  seq: number;
  heard: string;
  history: string[];
  refused: string;
  codes: number[];
}

/** Everything an application does first, with an optional room left undefined on purpose. */
export async function chat(url: string, WebSocket: WebSocketConstructor, room?: string | undefined): Promise<Outcome> {
  const session = await login(url, 'johndoe', 'secret', undefined);
  const options: ConnectOptions = {
    url,
    token: session.accessToken,
    getToken: session.getToken,
    WebSocket,
    reconnect: false,
    heartbeatMs: undefined,
  };
  const client = connect(options);
  const user = new Promise<string>((resolve) => client.on('status', (status) => status.state === 'open' && resolve(status.user)));
  const frames: ServerFrame['type'][] = [];
  client.on('frame', (frame) => void frames.push(frame.type));
  const joined = await client.join(room ?? 'general', { since: undefined });
  const heard = new Promise<Message>((resolve) => client.on('message', (message) => message.body.startsWith('hello') && resolve(message)));
  const ack = await client.send(joined.room, 'hello from a consumer');
  const history = await client.history(joined.room, { before: ack.seq + 1, limit: undefined });
  let refused = '';
  try {
    await login(url, 'johndoe', 'wrong');
  } catch (error) {
    if (error instanceof AuthError) refused = error.code;
  }
  client.close();
  await session.revoke();
  return {
    user: await user,
    members: joined.members,
    seq: ack.seq,
    heard: (await heard).body,
    history: history.map((message) => message.body),
    refused,
    codes: [CloseCodes.normal.code, ErrorCodes.forbidden.status],
  };
}
`;

const MAIN = `import WebSocket from 'ws';
import { chat } from './app.js';

console.log(JSON.stringify(await chat(process.argv[2]!, WebSocket)));
`;

const DOM = `import { connect } from 'parley-chat-client';

/** The browser's own WebSocket class fits the SDK's structural type. */
export const client = connect({ url: 'http://127.0.0.1:8000', WebSocket, reconnect: false });
`;

const STRICT = {
  strict: true,
  exactOptionalPropertyTypes: true,
  erasableSyntaxOnly: true,
  noUncheckedIndexedAccess: true,
  verbatimModuleSyntax: true,
  skipLibCheck: false,
  target: 'es2022',
  noEmit: true,
};
const RESOLUTION = {
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
};
const ENVIRONMENTS = {
  // Nothing but the language: the SDK's types must not need the DOM or Node.
  bare: { options: { lib: ['es2022'], types: [] }, files: ['src/app.ts'] },
  node: { options: { lib: ['es2022'], types: ['node'] }, files: ['src/app.ts', 'src/main.ts', 'src/readme-client.ts', 'src/readme-protocol.ts'] },
  dom: { options: { lib: ['es2022', 'dom'], types: [] }, files: ['src/app.ts', 'src/dom.ts'] },
};

/** The ```ts blocks of an installed package's README. */
function readmeExample(project: string, name: string): string {
  const readme = fs.readFileSync(path.join(project, 'node_modules', name, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
  assert.ok(blocks.length > 0, `${name}'s README has a TypeScript example`);
  return `${blocks.join('\n')}\nexport {};\n`;
}

describe('the SDK as an installed package', { timeout: 120_000 }, () => {
  const scratch = tempDir('parley-sdk-');
  const project = path.join(scratch, 'app');
  let packed: { name: string; filename: string; files: { path: string }[] }[];
  let server: RunningServer;

  before(async () => {
    const tarballs = path.join(scratch, 'tarballs');
    fs.mkdirSync(tarballs);
    packed = JSON.parse(await sh(NPM, ['pack', ...PACKAGES.flatMap((name) => ['-w', name]), '--pack-destination', tarballs, '--json'], ROOT));
    fs.mkdirSync(path.join(project, 'src'), { recursive: true });
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
    await sh(
      NPM,
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        ...packed.map((p) => path.join(tarballs, p.filename)),
        pinned('ws'),
        pinned('@types/ws'),
        pinned('@types/node'),
      ],
      project,
    );
    const sources = { 'app.ts': APP, 'main.ts': MAIN, 'dom.ts': DOM };
    for (const [file, text] of Object.entries(sources)) fs.writeFileSync(path.join(project, 'src', file), text);
    fs.writeFileSync(path.join(project, 'src/readme-client.ts'), readmeExample(project, 'parley-chat-client'));
    fs.writeFileSync(path.join(project, 'src/readme-protocol.ts'), readmeExample(project, 'parley-chat-protocol'));
    server = await startServer();
  });
  after(async () => {
    await server?.cleanup();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  test('the tarballs hold ES modules, declarations and a README; the client depends on the protocol only', () => {
    assert.deepEqual(
      packed.map((p) => p.name),
      [...PACKAGES],
    );
    for (const { name, files } of packed) {
      const odd = files.map((f) => f.path).filter((file) => !/^(package\.json|README\.md|dist\/[\w-]+\.(js|d\.ts))$/.test(file));
      assert.deepEqual(odd, [], `${name} ships only dist/*.js, dist/*.d.ts, README.md and package.json`);
      for (const file of files.filter((f) => f.path.endsWith('.js'))) {
        const text = fs.readFileSync(path.join(project, 'node_modules', name, file.path), 'utf8');
        assert.doesNotMatch(text, /sourceMappingURL/, `${name}/${file.path} points at no source map`);
      }
      const manifest = JSON.parse(fs.readFileSync(path.join(project, 'node_modules', name, 'package.json'), 'utf8')) as Record<string, unknown>;
      assert.deepEqual(manifest.engines, { node: '>=22' });
      assert.equal((manifest.exports as Record<string, { types: string }>)['.']!.types, './dist/index.d.ts');
    }
    const client = JSON.parse(fs.readFileSync(path.join(project, 'node_modules/parley-chat-client/package.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(client.dependencies, { 'parley-chat-protocol': '0.2.0' });
    const protocolManifest = fs.readFileSync(path.join(project, 'node_modules/parley-chat-protocol/package.json'), 'utf8');
    const protocol = JSON.parse(protocolManifest) as Record<string, unknown>;
    assert.deepEqual(Object.keys(protocol.dependencies as object), ['typebox']);
  });

  // Nothing ambient under both resolutions; the DOM and Node variants once each (the Node one builds the program
  // below). Parsing the libs is what a compile costs with skipLibCheck off, so the matrix stays this small.
  const checks: [keyof typeof RESOLUTION, keyof typeof ENVIRONMENTS][] = [
    ['nodenext', 'bare'],
    ['bundler', 'bare'],
    ['bundler', 'dom'],
  ];
  for (const [resolution, environment] of checks) {
    test(`compiles under strict settings: ${resolution} resolution, ${environment} (skipLibCheck off)`, async () => {
      const config = `tsconfig.${resolution}.${environment}.json`;
      const { options, files } = ENVIRONMENTS[environment];
      const compilerOptions = { ...STRICT, ...RESOLUTION[resolution], ...options };
      fs.writeFileSync(path.join(project, config), JSON.stringify({ compilerOptions, files }, null, 2));
      await sh(TSC, ['-p', config], project);
    });
  }

  test('compiled (nodenext resolution, @types/node), the program logs in, connects, joins, sends and gets the ack from a live Parley', async () => {
    const { options, files } = ENVIRONMENTS.node;
    const config = { compilerOptions: { ...STRICT, ...RESOLUTION.nodenext, ...options, noEmit: false, rootDir: 'src', outDir: 'dist' }, files };
    fs.writeFileSync(path.join(project, 'tsconfig.build.json'), JSON.stringify(config));
    await sh(TSC, ['-p', 'tsconfig.build.json'], project);
    const outcome = JSON.parse(await sh(process.execPath, ['dist/main.js', server.url], project)) as Record<string, unknown>;
    assert.equal(outcome.user, 'johndoe');
    assert.deepEqual(outcome.members, ['johndoe']);
    assert.equal(outcome.seq, 1);
    assert.equal(outcome.heard, 'hello from a consumer');
    assert.deepEqual(outcome.history, ['hello from a consumer']);
    assert.equal(outcome.refused, 'invalid_grant');
    assert.deepEqual(outcome.codes, [1000, 403]);
  });
});
