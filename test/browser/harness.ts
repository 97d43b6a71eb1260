// One real Chromium per test file, a fresh context (cookie jar) per user, and the page actions the suites share.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Locator, type Page } from 'playwright-core';
import { Client, DEMO_PASSWORDS, getToken, type RunningServer, serverSuite } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// In CI nothing is skipped: a missing browser must fail the run, not hide it.
export const skip = process.env.CI !== 'true' && !fs.existsSync(CHROMIUM) ? `${CHROMIUM} not found (apt-get install chromium)` : false;
if (skip) console.log(`!!! SKIPPING browser tests: ${skip} !!!`);

/** node:test waits forever by default: a hung browser call must fail the run, not stall CI. */
export const timeout = 60_000;

export interface Shown {
  seq: number;
  user: string;
  body: string;
}

/**
 * Registers a browser suite's hooks (call it inside the describe): one Parley, started with `env`, and one Chromium
 * for the file; fresh contexts (cookie jars) for each test. `server` is filled in when the suite starts.
 */
export function browserSuite(env: Record<string, string> = {}): { server: RunningServer; harness: Harness } {
  let harness: Harness;
  const server = serverSuite(env, () => harness.close());
  harness = new Harness(() => server);
  before(() => harness.launch(), { timeout });
  afterEach(() => harness.closeContexts(), { timeout });
  return { server, harness };
}

export class Harness {
  private browser?: Browser;
  private readonly contexts: BrowserContext[] = [];
  /** Uncaught errors in any page (a CSP refusal of the script, a broken script), for the tests to assert empty. */
  readonly pageErrors: string[] = [];

  constructor(private readonly server: () => RunningServer) {}

  async launch(): Promise<void> {
    this.browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout });
  }

  async closeContexts(): Promise<void> {
    await Promise.all(this.contexts.splice(0).map((context) => context.close().catch(() => {})));
  }

  async close(): Promise<void> {
    await this.browser?.close();
  }

  async newPage(options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
    // Reduced motion: drawers open without their slide, so a screenshot never catches one halfway.
    const context = await this.browser!.newContext({ reducedMotion: 'reduce', ...options });
    this.contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => this.pageErrors.push(error.message));
    page.on('dialog', (dialog) => {
      this.pageErrors.push(`unexpected dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    return { context, page };
  }

  /** Submits the login form and waits for the POST's answer; returns its HTTP status. */
  async submitLogin(page: Page, username: string, password: string): Promise<number> {
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', password);
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/login' && r.request().method() === 'POST'),
      page.click('button[type=submit]'),
    ]);
    await page.waitForLoadState('load');
    return response.status();
  }

  /** Logs in through the redirect and waits until the chat socket has joined #general. */
  async loggedIn(
    username: string,
    password = DEMO_PASSWORDS[username]!,
    options: BrowserContextOptions = {},
  ): Promise<{ context: BrowserContext; page: Page }> {
    const opened = await this.newPage(options);
    await opened.page.goto(`${this.server().url}/`);
    assert.equal(await this.submitLogin(opened.page, username, password), 303);
    assert.equal(opened.page.url(), `${this.server().url}/`);
    await joined(opened.page);
    return opened;
  }
}

/** The page has joined its room once the online list (filled from the `joined` frame) names the user. */
/**
 * A switch on a browser context's sockets to Parley, which go through a relay here. `cut`: the network is gone —
 * frames are dropped both ways and new sockets refused (`refused` counts them). Chromium's offline mode alone
 * would hold a socket's frames and deliver them later.
 */
export async function socketSwitch(context: BrowserContext): Promise<{ cut: boolean; readonly refused: number }> {
  const state = { cut: false, refused: 0 };
  await context.routeWebSocket(/\/ws$/, (ws) => {
    if (state.cut) {
      state.refused++;
      return ws.close({ code: 1011, reason: 'test: the network is gone' });
    }
    const upstream = ws.connectToServer();
    ws.onMessage((message) => {
      if (!state.cut) upstream.send(message);
    });
    upstream.onMessage((message) => {
      if (!state.cut) ws.send(message);
    });
  });
  return state;
}

/** A bearer socket for `user`, joined to `room`, to post without a browser. */
export async function poster(server: RunningServer, user: string, room = 'general'): Promise<{ say(body: string): Promise<number>; close(): void }> {
  const client = await Client.chat(server, await getToken(server.url, user));
  client.send({ type: 'join', room });
  await client.next((f) => f.type === 'joined');
  let n = 0;
  return {
    async say(body: string) {
      const clientId = `${user}-${Date.now()}-${n++}`;
      client.send({ type: 'send', room, body, clientId });
      const ack = await client.next((f) => f.type === 'ack' && f.clientId === clientId);
      return (ack as { seq: number }).seq;
    },
    close: () => client.close(),
  };
}

export async function joined(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const me = document.querySelector('#me')?.textContent;
    return Array.from(document.querySelectorAll<HTMLElement>('#online li')).some((li) => li.dataset.user === me);
  });
}

/** The names in the online list. */
export async function onlineUsers(page: Page): Promise<string[]> {
  return page.$$eval('#online li', (items) => items.map((li) => (li as HTMLElement).dataset.user ?? ''));
}

export async function shown(page: Page): Promise<Shown[]> {
  return page.$$eval('#messages li[data-seq]', (items) =>
    items.map((li) => ({
      seq: Number((li as HTMLElement).dataset.seq),
      user: li.querySelector('.user')?.textContent ?? '',
      body: li.querySelector('.body')?.textContent ?? '',
    })),
  );
}

/** Waits until a message with exactly this user and body is in #messages. */
export async function waitForMessage(page: Page, user: string, body: string): Promise<void> {
  await page.waitForFunction(
    ([u, b]) =>
      Array.from(document.querySelectorAll('#messages li[data-seq]')).some(
        (li) => li.querySelector('.user')?.textContent === u && li.querySelector('.body')?.textContent === b,
      ),
    [user, body] as const,
  );
}

/** The row of the message whose text is exactly `body` (the text sits in the rendered markdown's paragraph). */
export function messageRow(page: Page, body: string): Locator {
  return page.locator('#messages li[data-seq]').filter({ has: page.locator('.body').getByText(body, { exact: true }) });
}

export async function type(page: Page, body: string, how: 'enter' | 'click' = 'enter'): Promise<void> {
  await page.fill('#body', body);
  if (how === 'enter') await page.press('#body', 'Enter');
  else await page.getByRole('button', { name: 'Send' }).click();
  await page.waitForFunction(() => (document.querySelector('#body') as HTMLTextAreaElement).value === '');
}

/** The phone and the desktop every page suite looks at. */
export const PHONE = { width: 390, height: 844 } as const;
export const DESKTOP = { width: 1280, height: 800 } as const;

/** Where the suites leave their screenshots for a person to look at (git-ignored; named in the README). */
export const SCREENSHOTS = fileURLToPath(new URL('../../../test-output/screenshots/', import.meta.url));

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png` });
}

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/**
 * axe-core's serious and critical violations on the page as it is now. The script is evaluated through the
 * DevTools protocol, which the page's CSP does not govern (a <script> tag would be refused, rightly).
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeResult[] }> } }).axe;
    interface AxeResult {
      id: string;
      impact: string;
      help: string;
      nodes: { target: string[]; failureSummary?: string }[];
    }
    const { violations } = await axe.run(document, { resultTypes: ['violations'] });
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`) }));
  });
}

/** No horizontal scrolling: the page is no wider than the viewport. */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
