import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * GraphiQL as an operator meets it on a machine with no way out: Debian's Chromium (through
 * playwright-core) loads /graphql with every request off the loopback refused, pastes a Launcher JWT
 * into the Headers tab, runs the default `me` query and reads the answer. Runs once (PGlite project):
 * what it checks does not depend on the database. Where Chromium is absent it skips with a message,
 * except under CI, where the browser is part of the set-up (.ci/run installs it) and its absence fails.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const runHere = process.env.TEST_DATABASE !== 'postgres';
const hasChromium = existsSync(CHROMIUM);
if (runHere && !hasChromium) {
  const message = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI === 'true') throw new Error(`the offline GraphiQL browser test needs a browser under CI: ${message}`);
  process.stderr.write(`\n⚠ skipping the offline GraphiQL browser test: ${message}\n\n`);
}

/** GraphiQL also POSTs its introspection query; the operator's query is the one asking for `me`. */
function isMeQuery(body: string | null): boolean {
  try {
    return /\bme\s*\{/.test((JSON.parse(body ?? '') as { query?: string }).query ?? '');
  } catch {
    return false;
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

describe.runIf(runHere && hasChromium)('GraphiQL with no internet, in Chromium', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway?.close());

  it('loads from the gateway alone and runs `me` with a Launcher JWT from the Headers tab', async () => {
    const jwt = await gateway.launcherToken({ sub: 'operator-1', email: 'operator@example.test', role: 'admin' });
    const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 800 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const refused: string[] = [];
    try {
      // Everything the page asks for off this machine is refused, as on an offline network.
      await browser.route('**/*', async (route) => {
        const url = new URL(route.request().url());
        if (LOOPBACK.has(url.hostname)) return route.continue();
        refused.push(url.href);
        return route.abort('internetdisconnected');
      });
      const page = await browser.newPage();
      // The test's own limit governs; a slow machine must not fail a step on Playwright's 30 s default.
      page.setDefaultTimeout(0);
      await page.goto(`${gateway.url}/graphql`);
      // The page's scripts and styles have loaded (the load event) without anything from outside.
      expect(refused).toEqual([]);
      await page.waitForSelector('.graphiql-execute-button');

      await page.click('button[data-name="headers"]');
      const headersEditor = page.locator('.graphiql-editor:not(.hidden) .monaco-editor[data-uri$="request-headers.json"]');
      await headersEditor.click();
      // insertText types as a paste would: the editor adds no closing brackets or quotes of its own.
      await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${jwt}` }));

      const answered = page.waitForResponse((response) => response.url().endsWith('/graphql') && response.request().method() === 'POST' && isMeQuery(response.request().postData()));
      await page.click('.graphiql-execute-button');
      const response = await answered;
      expect(await response.json()).toEqual({ data: { me: { userId: 'operator-1', email: 'operator@example.test', role: 'admin' } } });
      expect(response.request().headers().authorization).toBe(`Bearer ${jwt}`);
      // The operator sees the answer in the result pane, not only on the wire.
      await expect.poll(async () => (await page.locator('.result-window').textContent())?.replace(/\s+/g, ' ')).toContain('operator@example.test');
      expect(refused).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
