import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeRequest, type OAuthStack, pkcePair, REDIRECT_URI, startOAuthStack, tokenRequest } from '../support/oauth.js';
import { DEMO, type TestStack } from '../support/stack.js';

/**
 * The development consent page in a real browser (Debian's Chromium through playwright-core): a
 * person pastes a Launcher JWT, sees who asks, approves, and the browser lands on the client's
 * redirect URI with a code that redeems. The screenshots it takes are the ones in docs/UX_FLOW.md.
 * Runs once (PGlite project); skips with a message where Chromium is not installed.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// DOCS_SCREENSHOTS=1 refreshes the committed screenshots; otherwise they go to a temporary folder.
const SHOTS = process.env.DOCS_SCREENSHOTS === '1' ? fileURLToPath(new URL('../../docs/images/', import.meta.url)) : mkdtempSync(join(tmpdir(), 'consent-shots-'));
const runHere = process.env.TEST_DATABASE !== 'postgres';
if (runHere && !existsSync(CHROMIUM)) process.stderr.write(`\n⚠ skipping the consent page browser test: no Chromium at ${CHROMIUM} (apt-get install chromium)\n\n`);

describe.runIf(runHere && existsSync(CHROMIUM))('the development consent page in Chromium', () => {
  let oauth: OAuthStack;
  let stack: TestStack;
  let clientId: string;

  beforeAll(async () => {
    oauth = await startOAuthStack({ path: '/browser-client.json', document: (id) => ({ client_id: id, client_name: 'Claude Code', redirect_uris: [REDIRECT_URI] }) });
    ({ stack, clientId } = oauth);
  });
  afterAll(() => oauth?.close());

  it('lets a person approve with a Launcher JWT and returns the browser to the client with a code', async () => {
    const pkce = pkcePair();
    const authorize = await authorizeRequest(stack.gateway.url, {
      client_id: clientId,
      redirect_uri: 'http://127.0.0.1:53682/callback',
      response_type: 'code',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      resource: `${stack.gateway.url}/mcp`,
      scope: 'projects:read issues:read issues:write',
      state: 'browser-state',
    });
    const consentUrl = authorize.headers.get('location')!;
    const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-')), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 760, height: 820 },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      // The client's loopback listener: whatever answers there, the browser reaching it is the point.
      let landedOn: URL | undefined;
      await page.route('http://127.0.0.1:53682/**', async (route) => {
        landedOn = new URL(route.request().url());
        await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>Signed in. You can close this window.</p>' });
      });
      await page.goto(consentUrl);
      mkdirSync(SHOTS, { recursive: true });
      await page.fill('#jwt', stack.owner);
      await page.screenshot({ path: join(SHOTS, 'oauth-consent-sign-in.png') });
      await page.click('#load');
      await page.waitForSelector('#consent:not([hidden])');
      expect(await page.textContent('#client-name')).toBe('Claude Code');
      expect(await page.textContent('#redirect-host')).toBe('127.0.0.1:53682');
      await page.fill('#project', DEMO.id);
      await page.fill('#agent-name', 'Claude Code (remote)');
      await page.screenshot({ path: join(SHOTS, 'oauth-consent-approve.png') });
      await Promise.all([page.waitForURL('http://127.0.0.1:53682/**'), page.click('#approve')]);
      expect(landedOn?.searchParams.get('state')).toBe('browser-state');
      expect(landedOn?.searchParams.get('iss')).toBe(stack.gateway.url);
      const issued = await tokenRequest(stack.gateway.url, {
        grant_type: 'authorization_code',
        code: landedOn!.searchParams.get('code')!,
        code_verifier: pkce.verifier,
        client_id: clientId,
        redirect_uri: 'http://127.0.0.1:53682/callback',
        resource: `${stack.gateway.url}/mcp`,
      });
      expect(issued).toMatchObject({ status: 200, body: { scope: 'projects:read issues:read issues:write' } });
    } finally {
      await browser.close();
    }
  }, 120_000);
});
