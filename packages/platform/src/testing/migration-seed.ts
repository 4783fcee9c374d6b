import { randomUUID } from 'node:crypto';
import pg from 'pg';

/**
 * One made-up row in every table of a database's `public` schema (but kysely's own), parents
 * before children, each foreign key pointing at the parent's row: what a migration meets in a
 * database that has been used. Values follow the column's type, the first value a check allows
 * (`status in ('queued', …)`) or an enum's first label. A table whose constraints the made-up
 * row does not satisfy (a check over several columns) is tried with its required columns only,
 * then left empty and named in `skipped`.
 */
export async function seedEveryTable(client: pg.Client): Promise<{ seeded: string[]; skipped: { table: string; error: string }[] }> {
  const tables = (await client.query<{ name: string }>(
    `select table_name as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like 'kysely\\_%' order by 1`,
  )).rows.map((r) => r.name);
  const keys = (await client.query<{ child: string; parent: string; columns: string[]; parentColumns: string[] }>(
    `select c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent,
            array(select attname from unnest(c.conkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by i)::text[] as columns,
            array(select attname from unnest(c.confkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n order by i)::text[] as "parentColumns"
       from pg_constraint c join pg_namespace s on s.oid = c.connamespace where c.contype = 'f' and s.nspname = 'public'`,
  )).rows;
  const seeded = new Map<string, Record<string, unknown>>();
  const skipped: { table: string; error: string }[] = [];
  for (const table of inDependencyOrder(tables, keys)) {
    const columns = await columnsOf(client, table);
    const parentValue = new Map<string, unknown>();
    for (const key of keys.filter((k) => k.child === table && k.parent !== table)) {
      const parentRow = seeded.get(key.parent);
      key.columns.forEach((column, i) => parentValue.set(column, parentRow?.[key.parentColumns[i] ?? '']));
    }
    let error = '';
    const attempts = Math.max(...columns.map((c) => c.samples.length), 1);
    for (const [onlyRequired, attempt] of [false, true].flatMap((only) => Array.from({ length: attempts }, (_, i) => [only, i] as const))) {
      const chosen = columns.filter((c) => !c.generated && (parentValue.get(c.name) !== undefined || (c.required && !c.hasDefault) || (!onlyRequired && !c.hasDefault)));
      const values = chosen.map((c) => parentValue.get(c.name) ?? c.samples[Math.min(attempt, c.samples.length - 1)]);
      await client.query('savepoint seed');
      try {
        const list = chosen.map((c) => pg.escapeIdentifier(c.name)).join(', ');
        const text = chosen.length === 0
          ? `insert into ${pg.escapeIdentifier(table)} default values returning *`
          : `insert into ${pg.escapeIdentifier(table)} (${list}) values (${chosen.map((_, i) => `$${i + 1}`).join(', ')}) returning *`;
        const inserted = await client.query<Record<string, unknown>>(text, values);
        seeded.set(table, inserted.rows[0] ?? {});
        await client.query('release savepoint seed');
        error = '';
        break;
      } catch (failure) {
        await client.query('rollback to savepoint seed');
        error = failure instanceof Error ? failure.message : String(failure);
      }
    }
    if (error !== '') skipped.push({ table, error });
  }
  return { seeded: [...seeded.keys()], skipped };
}

/** `samples`: values to try in turn (text meets checks we cannot read: a pattern, a length). */
type Column = { name: string; required: boolean; hasDefault: boolean; generated: boolean; samples: readonly unknown[] };

async function columnsOf(client: pg.Client, table: string): Promise<Column[]> {
  const rows = (await client.query<{ name: string; type: string; udt: string; nullable: string; default: string | null; identity: string; generated: string; labels: string[] | null }>(
    `select c.column_name as name, c.data_type as type, c.udt_name as udt, c.is_nullable as nullable, c.column_default as default,
            c.is_identity as identity, c.is_generated as generated,
            (select array_agg(e.enumlabel order by e.enumsortorder)::text[] from pg_type t join pg_enum e on e.enumtypid = t.oid where t.typname = c.udt_name) as labels
       from information_schema.columns c where c.table_schema = 'public' and c.table_name = $1 order by c.ordinal_position`,
    [table],
  )).rows;
  const checks = (await client.query<{ def: string }>(
    `select pg_get_constraintdef(c.oid) as def from pg_constraint c where c.conrelid = $1::regclass and c.contype = 'c'`,
    [pg.escapeIdentifier(table)],
  )).rows.map((r) => r.def);
  return rows.map((row) => {
    // A check that names this column alone and lists the values it allows (`in (…)`, `= …`): the first of them.
    const allowed = checks
      .filter((def) => new RegExp(`\\b${row.name}\\b`).test(def) && rows.every((other) => other.name === row.name || !new RegExp(`\\b${other.name}\\b`).test(def)))
      .filter((def) => /= ANY \(ARRAY\[|= '/.test(def))
      .map((def) => /'((?:[^']|'')*)'::/.exec(def)?.[1])
      .find((literal) => literal !== undefined);
    return {
      name: row.name,
      required: row.nullable === 'NO',
      hasDefault: row.default !== null || row.identity === 'YES',
      generated: row.generated === 'ALWAYS',
      samples: allowed !== undefined ? [allowed] : row.labels?.[0] !== undefined ? [row.labels[0]] : samplesOf(row.type, row.udt),
    };
  });
}

function samplesOf(type: string, udt: string): readonly unknown[] {
  const one = sampleOf(type, udt);
  if (one !== undefined) return [one];
  const tag = randomUUID().replace(/-/g, '');
  return [`seed-${tag.slice(0, 8)}`, `${tag}${tag}`, `SEED_${tag.slice(0, 8).toUpperCase()}`, `seed_${tag.slice(0, 8)}`, 'x'];
}

function sampleOf(type: string, udt: string): unknown {
  if (type === 'ARRAY') return '{}';
  switch (udt) {
    case 'uuid':
      return randomUUID();
    case 'int2':
    case 'int4':
    case 'int8':
    case 'numeric':
    case 'float4':
    case 'float8':
      return '1';
    case 'bool':
      return 'false';
    case 'timestamptz':
    case 'timestamp':
    case 'date':
      return '2026-01-01T00:00:00Z';
    case 'interval':
      return '1 minute';
    case 'json':
    case 'jsonb':
      return '{}';
    case 'bytea':
      return Buffer.from('seed');
    default:
      return undefined;
  }
}

/** Parents before their children (a cycle is broken where it is met). */
function inDependencyOrder(tables: readonly string[], keys: readonly { child: string; parent: string }[]): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (table: string) => {
    if (state.has(table)) return;
    state.set(table, 'visiting');
    for (const key of keys) if (key.child === table && key.parent !== table && tables.includes(key.parent)) visit(key.parent);
    state.set(table, 'done');
    order.push(table);
  };
  for (const table of tables) visit(table);
  return order;
}
