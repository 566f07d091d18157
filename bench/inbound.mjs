// The inbound-call scenario (issue 14): how fast the app answers Retell's `call_inbound` for a routed number — signed
// requests, office hours in a time zone, a contact lookup per caller, no tenant URL. Kept apart from run.mjs, which
// only calls benchInbound().
import Retell from 'retell-sdk';

const CONTACTS = 1_000;

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/**
 * Gives one of the user's agents a number routed by office hours (with itself as the after-hours agent) and a
 * thousand contacts, then times `runs` sequential signed `call_inbound` requests from callers half of whom are
 * contacts. Fails the run on any non-200 or an answer without an agent. Returns p50/p99 in milliseconds.
 */
export async function benchInbound({ sql, base, userId, agentId, retellKey, runs, fail, resetStatements, countStatements }) {
  const number = '+15550000' + String(Math.floor(Math.random() * 1000)).padStart(3, '0');
  const { rows: [{ id: phoneNumberId }] } = await sql.query(
    `insert into phone_numbers (agent_id, phone_number, number_type, nickname) values ($1, $2, 'retell-twilio', 'bench inbound') returning id`,
    [agentId, number],
  );
  await sql.query(
    `insert into inbound_routings (phone_number_id, user_id, timezone, hours, after_hours_action, after_hours_agent_id, lookup_contacts)
     values ($1, $2, 'America/New_York', $3, 'agent', $4, true)`,
    [phoneNumberId, userId, JSON.stringify([{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' }]), agentId],
  );
  await sql.query(
    `insert into contacts (user_id, phone_number, name, dynamic_variables)
     select $1, '+1666' || lpad(g::text, 7, '0'), 'Caller ' || g, jsonb_build_object('tier', 'gold')
       from generate_series(1, $2) g on conflict do nothing`,
    [userId, CONTACTS],
  );
  // Half the callers are contacts, half are not; every body is signed just before the timed loop.
  const bodies = [];
  for (let i = 0; i < Math.min(runs, 2_000); i++) {
    const from = i % 2 === 0 ? `+1666${String((i % CONTACTS) + 1).padStart(7, '0')}` : `+1777${String(i).padStart(7, '0')}`;
    const body = JSON.stringify({ event: 'call_inbound', call_inbound: { from_number: from, to_number: number, call_id: `bench_inbound_${i}` } });
    bodies.push({ body, signature: await Retell.sign(body, retellKey) });
  }
  const ask = async ({ body, signature }) => {
    const response = await fetch(`${base}/webhooks/retell/inbound`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-retell-signature': signature }, body });
    const text = await response.text();
    if (response.status !== 200) fail(`POST /webhooks/retell/inbound: ${response.status} ${text}`);
    const answer = JSON.parse(text);
    if (typeof answer.call_inbound?.override_agent_id !== 'string') fail(`POST /webhooks/retell/inbound: no agent in ${text}`);
    return answer;
  };
  for (let i = 0; i < Math.min(50, bodies.length); i++) await ask(bodies[i]); // warm-up
  const times = [];
  // The floor on this machine at this moment: GET /health (one `select 1`) timed between the same requests, so a
  // loaded machine's p99 can be told from the answer's own.
  const floor = [];
  let greeted = 0;
  await resetStatements();
  const loopStarted = performance.now();
  for (let i = 0; i < runs; i++) {
    let started = performance.now();
    const answer = await ask(bodies[i % bodies.length]);
    times.push(performance.now() - started);
    if (answer.call_inbound.dynamic_variables?.contact_name) greeted++;
    started = performance.now();
    const health = await fetch(`${base}/health`);
    await health.text();
    floor.push(performance.now() - started);
  }
  const statements = await countStatements();
  const loopSeconds = (performance.now() - loopStarted) / 1000;
  // The app's background work (job engine polling, the outbox relay) runs statements too: measured idle for a while
  // right after, and taken out at its rate.
  await resetStatements();
  const idleSeconds = Math.min(5, Math.max(1, loopSeconds / 4));
  await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
  const idleStatements = await countStatements();
  const backgroundPerSecond = idleStatements === undefined ? undefined : idleStatements.all / idleSeconds;
  if (greeted === 0) fail('call_inbound: no caller was greeted by name');
  await sql.query('delete from phone_numbers where id = $1', [phoneNumberId]);
  times.sort((a, b) => a - b);
  floor.sort((a, b) => a - b);
  return {
    runs,
    greeted,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    floorP50: percentile(floor, 50),
    floorP99: percentile(floor, 99),
    // Less the background and GET /health's one `select 1` per iteration: what is left is the answer's.
    sqlPerRequest: statements === undefined ? undefined : (statements.all - backgroundPerSecond * loopSeconds) / runs - 1,
    backgroundPerSecond,
  };
}
