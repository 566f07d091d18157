import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { bootTestApp, type TestApp } from './support/app.js';

/** The ```bash blocks of a Markdown file, in order. */
function bashBlocks(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^```bash\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

function bash(script: string, env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const limit = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(limit);
      resolve({ code, output });
    });
  });
}

/**
 * Issue 12, items 5 and 7: docs/partners.md runs as written, top to bottom, on a server where the README's first
 * session has run (both scripts are taken from the Markdown as it is), and stops at the first failed step.
 */
describe('the documentation runs as written (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const partners = () => bashBlocks('docs/partners.md').join('\n');

  it("README's first session, then docs/partners.md top to bottom", async () => {
    const readme = bashBlocks('README.md').find((block) => block.includes('/auth/register'))!;
    expect(readme).toBeDefined();
    const first = await bash(readme.replaceAll('localhost:3000', t.baseUrl.replace(/^http:\/\//, '')));
    expect(first.output).toMatch(/"key":"rtm_live_/);

    const journey = await bash(partners(), { BASE: t.baseUrl });
    if (journey.code !== 0) throw new Error(`docs/partners.md failed (exit ${journey.code}):\n${journey.output}`);
    expect(journey.output).toContain('"username":"acme_crm"');
    expect(journey.output).toMatch(/^rtm_live_/m);
    expect(journey.output).toContain('"isPublished":true');
    expect(journey.output).toMatch(/\{"status":"ended","durationSeconds":\d+,"disconnectionReason":"agent_hangup","analysed":true\}/);
    expect(journey.output).not.toContain('null\n');
    const [{ count }] = await t.db.query<{ count: string }>(
      "select count(*) from calls c join users u on u.id = c.user_id where u.username = 'acme_crm' and c.call_analysis is not null",
    );
    // The call of step 3, and the campaign's four: two completed, a no-answer tried twice.
    expect(count).toBe('5');
    expect(journey.output).toContain('{"status":"completed","progress":{"pending":0,"dialling":0,"completed":2,"noAnswer":1,"skippedDoNotCall":1}}');
    expect(journey.output).toMatch(/\{"phoneNumber":"\+14155550001","status":"done","outcome":"no_answer","attempts":2,"callIds":\[\d+,\d+\]\}/);
  }, 180_000);

  it('stops at the first failed step: run again, the account exists (409) and nothing after it runs', async () => {
    const agentsBefore = await t.db.query('select id from agents');
    const again = await bash(partners(), { BASE: t.baseUrl });
    expect(again.code).not.toBe(0);
    expect(again.output).toContain('"statusCode":409');
    expect(again.output).not.toContain('rtm_live_');
    expect(await t.db.query('select id from agents')).toEqual(agentsBefore);
  }, 180_000);
});
