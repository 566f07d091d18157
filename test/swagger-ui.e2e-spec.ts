import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { createAgent } from './support/agents.js';
import { bootTestApp, type TestApp } from './support/app.js';
import { createApiKey, createUser } from './support/factories.js';

/** Debian's chromium package; CI installs it (.ci/run). Playwright's own browser download cannot work here. */
const CHROMIUM = '/usr/bin/chromium';

/**
 * Flags this machine needs (see the machine notes): root needs --no-sandbox; without the background-networking
 * flags Chromium keeps trying to reach Google's hosts through a closed network.
 */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const SCREENSHOT = join(tmpdir(), 'swagger-ui-get-agents.png');

describe('Swagger UI in Chromium (e2e)', () => {
  let t: TestApp;
  let profile: string;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    // Fail, never skip: a missing browser would otherwise hide that Swagger UI is no longer proven to work.
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does it) to run the Swagger UI test`);
    }
    t = await bootTestApp();
    profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await t?.close();
  });

  it('authorizes with an API key and executes GET /agents, showing the 200 response', async () => {
    const user = await createUser(t.http);
    const { key } = await createApiKey(t.http, user, 'swagger ui');
    const agent = await createAgent(t.http, user, { name: 'Swagger front desk' });

    const page: Page = await context!.newPage();
    // Generous waits: Chromium shares two cores with PostgreSQL and the app (and sometimes a benchmark), and a cold
    // profile parses Swagger UI's 1.5 MB bundle; a real failure still fails, only later.
    page.setDefaultTimeout(30_000);
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(`${t.baseUrl}/docs`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await page.locator('.swagger-ui .info .title').filter({ hasText: 'Retell Agents API' }).waitFor();

    // Authorize dialog: the api-key scheme takes the key; the bearer scheme is left empty.
    await page.locator('.auth-wrapper button.authorize').click();
    const apiKeyScheme = page.locator('.modal-ux .auth-container').filter({ hasText: 'api-key' });
    await apiKeyScheme.locator('input').fill(key);
    // Swagger UI labels these buttons for screen readers ("Apply credentials"), so find them by type and text.
    await apiKeyScheme.locator('button[type=submit]').click();
    await apiKeyScheme.locator('button', { hasText: 'Logout' }).waitFor();
    await apiKeyScheme.locator('button.btn-done').click();

    // Expand GET /agents, "Try it out", "Execute".
    const operation = page.locator('#operations-agents-Agents_list');
    await operation.locator('.opblock-summary').first().click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('button.execute').click();

    const live = operation.locator('.live-responses-table');
    await live.locator('.response-col_status').filter({ hasText: '200' }).waitFor();
    await waitForText(live.locator('.response-col_description'), agent.name);
    // The request Swagger UI made carried the key as the document says (x-api-key), not a bearer token.
    await waitForText(operation.locator('.curl-command'), `x-api-key: ${key}`);

    // For people debugging the test: the executed operation as the browser rendered it.
    await operation.screenshot({ path: SCREENSHOT });
    expect(problems).toEqual([]);
  }, 180_000);
});

/** Waits until the locator shows the text (Playwright's own `expect` is in @playwright/test, not playwright-core). */
async function waitForText(locator: Locator, text: string): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor();
}
