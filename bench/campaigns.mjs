// The campaign scenario (issue 15): one 10,000-target campaign on a Retell workspace limited to 20 concurrent calls,
// dialled by the app's dialer as fast as the limit allows, against the ideal rate (limit ÷ average call duration)
// measured in the same run. Kept apart from run.mjs, which only calls benchCampaigns().
//
// Retell is an emulator run in this process (fast timing, calls that talk BENCH_CAMPAIGN_CALL_MS), so the run can read
// its every call: double dials (two calls to one target), lost targets (none, or not finished) and the peak concurrency
// it recorded. The app talks to it as to Retell (RETELL_MODE=retell, RETELL_BASE_URL).

import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const LIMIT = 20;
const KEY = 'key_bench_campaigns_000000000000000000';

export async function benchCampaigns({ root, start, waitHealthy, stop, api, freePort, appEnv, sql, fail, log, smoke }) {
  const { RetellEmulator } = await import(join(root, 'packages/retell-emulator/dist/index.js'));
  const targets = Number(process.env.BENCH_CAMPAIGN_TARGETS ?? (smoke ? 200 : 10_000));
  const callMs = Number(process.env.BENCH_CAMPAIGN_CALL_MS ?? (smoke ? 100 : 500));
  const emulator = new RetellEmulator({ apiKey: KEY, timing: 'fast', concurrencyLimit: LIMIT, callDurationMs: callMs });
  const retellUrl = await emulator.start(0);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = start('app (campaigns)', ['dist/src/main.js'], {
    ...appEnv,
    PORT: String(port),
    PUBLIC_BASE_URL: base,
    RETELL_MODE: 'retell',
    RETELL_API_KEY: KEY,
    RETELL_BASE_URL: retellUrl,
    // The tenant's quota above the workspace's limit: the workspace is what this run saturates.
    CALL_CONCURRENCY_PER_USER: String(LIMIT * 2),
  });
  try {
    await waitHealthy(child, base);
    const user = { username: `campaigns${process.pid}`, email: `campaigns${process.pid}@bench.example`, password: 'correct horse battery staple' };
    await api(base, 'POST', '/auth/register', user);
    const { accessToken } = await api(base, 'POST', '/auth/login', { login: user.username, password: user.password });
    const auth = { authorization: `Bearer ${accessToken}` };
    const agent = await api(
      base,
      'POST',
      '/agents',
      { name: 'Reminder caller', voiceId: '11labs-Adrian', llmConfiguration: { model: 'gpt-4.1', generalPrompt: 'You remind people of appointments.', beginMessage: 'Hello!' } },
      auth,
    );
    await api(base, 'POST', `/agents/${agent.id}/phone-numbers`, {}, auth);
    // Numbers ending in 7, so every call completes at the emulator (0001–0005 endings pick other outcomes).
    const numbers = Array.from({ length: targets }, (_, i) => `+1212${1_000_000 + i * 10 + 7}`);
    const csv = `phoneNumber\n${numbers.join('\n')}\n`;
    const imported = await fetch(`${base}/contacts/import`, { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: csv }).then((r) => r.json());
    if (imported.created !== targets) fail(`campaigns: imported ${JSON.stringify(imported).slice(0, 300)}`);
    const { rows } = await sql.query(
      `select c.id from contacts c join users u on u.id = c.user_id where u.username = $1 order by c.id`,
      [user.username],
    );
    const campaign = await api(
      base,
      'POST',
      '/campaigns',
      {
        name: 'Bench campaign',
        agentId: agent.id,
        contactIds: rows.map((row) => row.id),
        schedule: { timezone: 'UTC', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '24:00' }] },
        retry: { maxAttempts: 1, on: [], delayMinutes: 0 },
      },
      auth,
    );
    log(`campaigns: ${targets.toLocaleString('en')} targets, workspace limit ${LIMIT}, calls talking ${callMs} ms`);
    emulator.resetPeakConcurrency();
    await api(base, 'POST', `/campaigns/${campaign.id}/start`, undefined, auth);
    const deadline = Date.now() + (smoke ? 120_000 : Math.max(900_000, targets * 200));
    let state;
    let lastLog = Date.now();
    while (Date.now() < deadline) {
      state = await api(base, 'GET', `/campaigns/${campaign.id}`, undefined, auth);
      if (state.status === 'completed') break;
      if (Date.now() - lastLog > 15_000) {
        log(`campaigns: ${(targets - state.progress.pending - state.progress.dialling).toLocaleString('en')} of ${targets.toLocaleString('en')} done`);
        lastLog = Date.now();
      }
      await sleep(250);
    }
    await emulator.waitForIdle();

    const calls = [...emulator.state.calls.values()];
    const perNumber = new Map();
    for (const stored of calls) perNumber.set(stored.call.to_number, (perNumber.get(stored.call.to_number) ?? 0) + 1);
    const doubleDials = [...perNumber.values()].filter((n) => n > 1).reduce((sum, n) => sum + n - 1, 0);
    const { rows: [finished] } = await sql.query(
      `select count(*) filter (where status = 'done' and outcome = 'completed')::int as completed, count(*)::int as total from campaign_targets where campaign_id = $1`,
      [campaign.id],
    );
    const lost = numbers.filter((number) => !perNumber.has(number)).length + (finished.total - finished.completed);
    // A call holds a line from its creation until it ends (ring + talk): that is what the limit counts.
    const lives = calls.map((stored) => stored.call.end_timestamp - stored.createdAt).filter((ms) => Number.isFinite(ms) && ms > 0);
    const averageMs = lives.reduce((a, b) => a + b, 0) / lives.length;
    const firstDial = Math.min(...calls.map((stored) => stored.createdAt));
    const lastEnd = Math.max(...calls.map((stored) => stored.call.end_timestamp ?? 0));
    const seconds = (lastEnd - firstDial) / 1000;
    const throughput = calls.length / seconds;
    const ideal = LIMIT / (averageMs / 1000);
    return {
      status: state?.status,
      targets,
      calls: calls.length,
      callMs,
      averageMs,
      seconds,
      throughput,
      ideal,
      doubleDials,
      lost,
      peak: emulator.concurrency.peak_concurrency,
      limit: LIMIT,
    };
  } finally {
    await stop(child);
    await emulator.stop();
  }
}
