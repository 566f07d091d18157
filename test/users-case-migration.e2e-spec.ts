import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from '../src/database/orm-options.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

const BEFORE = 'Migration20261124041630';
const CASE_INSENSITIVE = 'Migration20261201231608';

/** What Migration20261201231608 does with accounts that differ only by case (see docs/schema.md). */
describe('migration to case-insensitive usernames and e-mails', () => {
  let db: TestDatabase;
  let orm: MikroORM;

  beforeEach(async () => {
    db = await createTestDatabase();
    const options = ormOptions({ url: db.url, poolMax: 2 });
    orm = await MikroORM.init({ ...options, migrations: { ...options.migrations, silent: true } });
    await orm.migrator.up({ to: BEFORE });
  });
  afterEach(async () => {
    // Forced: a migration that failed must not leave a connection open for DROP DATABASE … WITH (FORCE) to kill.
    await orm.close(true);
    await db.drop();
  });

  const insert = (username: string, email: string) =>
    db.query<{ id: number }>(`insert into users (username, email, password_hash) values ($1, $2, 'x') returning id`, [username, email]);

  it('keeps the oldest username and renames later case-duplicates to <name>-<id>', async () => {
    const [first] = await insert('Acme', 'one@example.test');
    const [second] = await insert('acme', 'two@example.test');
    const [third] = await insert('ACME', 'three@example.test');
    const [other] = await insert('other', 'four@example.test');
    await orm.migrator.up();
    const rows = await db.query<{ id: number; username: string }>('select id, username from users order by id');
    expect(rows).toEqual([
      { id: first.id, username: 'Acme' },
      { id: second.id, username: `acme-${second.id}` },
      { id: third.id, username: `ACME-${third.id}` },
      { id: other.id, username: 'other' },
    ]);
    expect((await db.query(`select 1 from mikro_orm_migrations where name = $1`, [CASE_INSENSITIVE])).length).toBe(1);
  });

  it('stops, naming the accounts, when two e-mails differ only by case, and changes nothing', async () => {
    const [a] = await insert('first', 'Ops@Example.test');
    const [b] = await insert('second', 'ops@example.test');
    await expect(orm.migrator.up()).rejects.toThrow(new RegExp(`users.email must be unique ignoring case.*${a.id}, ${b.id}`));
    expect(await db.query('select username, email from users order by id')).toEqual([
      { username: 'first', email: 'Ops@Example.test' },
      { username: 'second', email: 'ops@example.test' },
    ]);
    expect((await db.query(`select 1 from mikro_orm_migrations where name = $1`, [CASE_INSENSITIVE])).length).toBe(0);
  });

  it('lower-cases e-mails written outside the app', async () => {
    await insert('someone', 'Someone@Example.TEST');
    await orm.migrator.up();
    expect(await db.query('select email from users')).toEqual([{ email: 'someone@example.test' }]);
  });
});
