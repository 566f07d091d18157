import { readFileSync } from 'node:fs';
import { bootTestApp, type TestApp } from './support/app.js';

/** A column as both sides are compared: normalised type, nullability, default, uniqueness, cascade reference. */
interface Column {
  type: string;
  nullable: boolean;
  default: string | null;
  unique: boolean;
  references: string | null;
}
type Schema = Map<string, Map<string, Column>>;
interface Difference {
  table: string;
  column: string;
  aspect: string;
  seed: string;
  ours: string;
}

const SEED = 'docs/seed/000_3700d37e76f29695.txt';
const DOC = 'docs/schema.md';

function normaliseDefault(value: string | null): string | null {
  if (value === null) return null;
  const v = value.toLowerCase().replace(/::[a-z ]+$/, '');
  return v.startsWith('nextval(') ? 'serial' : v;
}

/** Parses the seed's CREATE TABLE statements (inline column attributes; CONSTRAINT lines are discussed in the doc). */
function parseSeed(text: string): Schema {
  const schema: Schema = new Map();
  for (const match of text.matchAll(/CREATE TABLE (\w+) \(([\s\S]*?)\n\);/g)) {
    const columns = new Map<string, Column>();
    for (const rawLine of match[2].split('\n')) {
      const line = rawLine.trim().replace(/,$/, '');
      if (!line || line.startsWith('CONSTRAINT')) continue;
      const [, name, rawType, rest] = /^(\w+) ((?:VARCHAR\(\d+\))|\w+)(.*)$/.exec(line)!;
      const type = rawType
        .toLowerCase()
        .replace(/^serial$/, 'integer')
        .replace(/^float$/, 'double precision');
      const defaultMatch = /DEFAULT (\S+)/.exec(rest);
      const reference = /REFERENCES (\w+)\((\w+)\)( ON DELETE CASCADE)?/.exec(rest);
      columns.set(name, {
        type,
        nullable: !/NOT NULL|PRIMARY KEY/.test(rest),
        default: rawType === 'SERIAL' ? 'serial' : normaliseDefault(defaultMatch?.[1] ?? null),
        unique: /UNIQUE/.test(rest),
        references: reference ? `${reference[1]}.${reference[2]}${reference[3] ? ' cascade' : ''}` : null,
      });
    }
    schema.set(match[1], columns);
  }
  return schema;
}

async function readLive(t: TestApp): Promise<Schema> {
  const columns = await t.db.query<{ table_name: string; column_name: string; data_type: string; character_maximum_length: number | null; is_nullable: string; column_default: string | null }>(
    `select table_name, column_name, data_type, character_maximum_length, is_nullable, column_default
       from information_schema.columns where table_schema = 'public'`,
  );
  const uniques = await t.db.query<{ table_name: string; column_name: string }>(
    `select c.relname as table_name, a.attname as column_name
       from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute a on a.attrelid = c.oid and a.attnum = i.indkey[0]
      where n.nspname = 'public' and i.indisunique and not i.indisprimary and i.indnatts = 1`,
  );
  const foreignKeys = await t.db.query<{ table_name: string; column_name: string; target: string; on_delete: string }>(
    `select c.relname as table_name, a.attname as column_name, tc.relname || '.' || ta.attname as target, k.confdeltype as on_delete
       from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_class tc on tc.oid = k.confrelid
       join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute a on a.attrelid = c.oid and a.attnum = k.conkey[1]
       join pg_attribute ta on ta.attrelid = tc.oid and ta.attnum = k.confkey[1]
      where n.nspname = 'public' and k.contype = 'f'`,
  );
  const schema: Schema = new Map();
  for (const c of columns) {
    const type = c.data_type === 'character varying' ? `varchar(${c.character_maximum_length})` : c.data_type.replace(' without time zone', '');
    if (!schema.has(c.table_name)) schema.set(c.table_name, new Map());
    schema.get(c.table_name)!.set(c.column_name, {
      type,
      nullable: c.is_nullable === 'YES',
      default: normaliseDefault(c.column_default),
      unique: uniques.some((u) => u.table_name === c.table_name && u.column_name === c.column_name),
      references: null,
    });
  }
  for (const fk of foreignKeys) {
    schema.get(fk.table_name)!.get(fk.column_name)!.references = `${fk.target}${fk.on_delete === 'c' ? ' cascade' : ''}`;
  }
  return schema;
}

function describeColumn(c: Column): string {
  return `${c.type} ${c.nullable ? 'NULL' : 'NOT NULL'}`;
}

function compare(seed: Schema, live: Schema): Difference[] {
  const differences: Difference[] = [];
  for (const [table, seedColumns] of seed) {
    const liveColumns = live.get(table);
    if (!liveColumns) {
      differences.push({ table, column: '-', aspect: 'table', seed: 'table', ours: '-' });
      continue;
    }
    for (const [column, s] of seedColumns) {
      const l = liveColumns.get(column);
      if (!l) {
        differences.push({ table, column, aspect: 'column', seed: describeColumn(s), ours: '-' });
        continue;
      }
      if (s.type !== l.type) differences.push({ table, column, aspect: 'type', seed: s.type, ours: l.type });
      if (s.nullable !== l.nullable) differences.push({ table, column, aspect: 'nullable', seed: s.nullable ? 'NULL' : 'NOT NULL', ours: l.nullable ? 'NULL' : 'NOT NULL' });
      if (s.default !== l.default) differences.push({ table, column, aspect: 'default', seed: String(s.default), ours: String(l.default) });
      if (s.unique !== l.unique) differences.push({ table, column, aspect: 'unique', seed: s.unique ? 'yes' : 'no', ours: l.unique ? 'yes' : 'no' });
      if (s.references !== l.references) differences.push({ table, column, aspect: 'references', seed: String(s.references), ours: String(l.references) });
    }
    for (const [column, l] of liveColumns) {
      if (!seedColumns.has(column)) differences.push({ table, column, aspect: 'column', seed: '-', ours: describeColumn(l) });
    }
  }
  for (const table of live.keys()) {
    if (!seed.has(table)) differences.push({ table, column: '-', aspect: 'table', seed: '-', ours: 'table' });
  }
  return differences;
}

/** Rows of the "Deviations" table in docs/schema.md. */
function documentedDeviations(markdown: string): Difference[] {
  const section = markdown.split('## Deviations')[1].split('\n## ')[0];
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| table') && !line.startsWith('|---'))
    .map((line) => {
      const [table, column, aspect, seed, ours] = line.split('|').slice(1).map((cell) => cell.trim());
      return { table, column, aspect, seed, ours };
    });
}

const matches = (doc: Difference, actual: Difference) =>
  (doc.table === '*' || doc.table === actual.table) &&
  doc.column === actual.column &&
  doc.aspect === actual.aspect &&
  doc.seed === actual.seed &&
  doc.ours === actual.ours;

describe('schema versus the seed', () => {
  let t: TestApp;
  let differences: Difference[];
  let documented: Difference[];

  beforeAll(async () => {
    t = await bootTestApp();
    differences = compare(parseSeed(readFileSync(SEED, 'utf8')), await readLive(t));
    documented = documentedDeviations(readFileSync(DOC, 'utf8'));
  });
  afterAll(async () => {
    await t.close();
  });

  it('parses all seven seed tables', () => {
    const seed = parseSeed(readFileSync(SEED, 'utf8'));
    expect([...seed.keys()].sort()).toEqual(['agent_tools', 'agents', 'api_keys', 'calls', 'llm_configurations', 'phone_numbers', 'users']);
    expect(seed.get('agent_tools')!.get('tool_config')).toEqual({ type: 'jsonb', nullable: false, default: null, unique: false, references: null });
  });

  it('has no undocumented difference from the seed', () => {
    const undocumented = differences.filter((d) => !documented.some((doc) => matches(doc, d)));
    expect(undocumented).toEqual([]);
  });

  it('documents no difference that does not exist', () => {
    const stale = documented.filter((doc) => !differences.some((d) => matches(doc, d)));
    expect(stale).toEqual([]);
  });

  it('keeps every seed foreign key with ON DELETE CASCADE', () => {
    expect(differences.filter((d) => d.aspect === 'references')).toEqual([]);
  });

  it('moves updated_at on every update, including raw SQL', async () => {
    await t.db.query(`insert into users (username, email, password_hash, updated_at) values ('u_trigger', 'u_trigger@example.test', 'x', now() - interval '1 day')`);
    await t.db.query(`update users set first_name = 'Changed' where username = 'u_trigger'`);
    const [row] = await t.db.query<{ age: number }>(`select extract(epoch from (now() - updated_at)) as age from users where username = 'u_trigger'`);
    expect(Number(row.age)).toBeLessThan(60);
  });
});
