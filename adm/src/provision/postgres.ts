import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';
import pg from 'pg';
import { isPrintableAscii, postgresPasswordMatches, scramSha256Verifier } from './password-hashes.js';

const run = promisify(execFile);

/** One service's database and the only role that may connect to it. */
export type DatabaseGrant = {
  readonly role: string;
  readonly database: string;
  readonly password: string;
  /** Set as the comment of both (the instance mark): kept, or put back when it differs. */
  readonly comment?: string;
};

export type PostgresAdmin = {
  /** A superuser connection URL. */
  readonly url: string;
  /** False when the URL is our default (the local socket as the current OS user): then we may bootstrap that role. */
  readonly explicit: boolean;
};

/** TRELLIS_PG_ADMIN_URL, else the local socket as the current OS user (trust or peer authentication). */
export function postgresAdminFromEnv(env: NodeJS.ProcessEnv = process.env): PostgresAdmin {
  const url = env['TRELLIS_PG_ADMIN_URL'];
  if (url) return { url, explicit: true };
  return { url: `postgresql://${encodeURIComponent(userInfo().username)}@localhost/postgres?host=/var/run/postgresql`, explicit: false };
}

/** The URL with its password hidden, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'trellis-adm', connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

const STARTING = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENOENT', '57P03']);

/** A server that is still starting (compose, Kubernetes, a fresh install) gets a minute. */
async function connectWhenUp(url: string, log: (line: string) => void): Promise<pg.Client> {
  const deadline = Date.now() + 60_000;
  let told = false;
  for (;;) {
    try {
      return await connect(url);
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (!STARTING.has(code) || Date.now() > deadline) throw error;
      if (!told) log(`waiting for PostgreSQL at ${redactUrl(url)}`);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

/**
 * Connects as the administrator. On a fresh Debian, root has no PostgreSQL role and the
 * socket uses peer authentication: when running as root with the default URL, create the
 * role through the postgres OS account once, then connect.
 */
export async function connectAdmin(admin: PostgresAdmin, log: (line: string) => void = () => undefined): Promise<pg.Client> {
  try {
    return await connectWhenUp(admin.url, log);
  } catch (error) {
    const pgError = error as { code?: string; message: string };
    const user = userInfo().username;
    const missingRole = pgError.code === '28000' && /role .* does not exist/.test(pgError.message);
    if (missingRole && !admin.explicit && process.getuid?.() === 0) {
      log(`creating the PostgreSQL superuser role "${user}" (as the postgres OS user)`);
      await run('runuser', ['-u', 'postgres', '--', 'psql', '-v', 'ON_ERROR_STOP=1', '-qc', `CREATE ROLE ${pg.escapeIdentifier(user)} SUPERUSER LOGIN`], { cwd: '/' });
      return connect(admin.url);
    }
    const hint = admin.explicit
      ? 'Check TRELLIS_PG_ADMIN_URL (it must name a superuser).'
      : `Set TRELLIS_PG_ADMIN_URL to a superuser URL, or create a role for "${user}" (sudo -u postgres createuser -s ${user}).`;
    throw new Error(`cannot connect to PostgreSQL as an administrator at ${redactUrl(admin.url)}: ${pgError.message}. ${hint}`, { cause: error });
  }
}

type RoleRow = {
  rolsuper: boolean;
  rolcreatedb: boolean;
  rolcreaterole: boolean;
  rolcanlogin: boolean;
  rolreplication: boolean;
  rolbypassrls: boolean;
  rolpassword: string | null;
  password_known: boolean;
  comment: string | null;
};

const ROLE_ATTRIBUTES = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS';

async function findRole(client: pg.Client, role: string): Promise<RoleRow | undefined> {
  try {
    const result = await client.query<RoleRow>(
      `SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, rolreplication, rolbypassrls, rolpassword, true AS password_known,
              shobj_description(oid, 'pg_authid') AS comment FROM pg_authid WHERE rolname = $1`,
      [role],
    );
    return result.rows[0];
  } catch (error) {
    // Not a superuser (a managed database's admin): pg_authid is closed, so passwords cannot be compared.
    if ((error as { code?: string }).code !== '42501') throw error;
    const result = await client.query<RoleRow>(
      `SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, rolreplication, rolbypassrls, NULL AS rolpassword, false AS password_known,
              shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = $1`,
      [role],
    );
    return result.rows[0];
  }
}

function passwordClause(client: pg.Client, password: string): string {
  // A SCRAM verifier keeps the clear password out of server logs; PostgreSQL stores it as given.
  return `PASSWORD ${client.escapeLiteral(isPrintableAscii(password) ? scramSha256Verifier(password) : password)}`;
}

async function ensureRole(client: pg.Client, grant: DatabaseGrant, changes: string[]): Promise<void> {
  const role = pg.escapeIdentifier(grant.role);
  const row = await findRole(client, grant.role);
  if (!row) {
    await client.query(`CREATE ROLE ${role} ${ROLE_ATTRIBUTES} ${passwordClause(client, grant.password)}`);
    if (grant.comment !== undefined) await client.query(`COMMENT ON ROLE ${role} IS ${client.escapeLiteral(grant.comment)}`);
    changes.push(`created role ${grant.role}`);
    return;
  }
  if (grant.comment !== undefined && row.comment !== grant.comment) {
    await client.query(`COMMENT ON ROLE ${role} IS ${client.escapeLiteral(grant.comment)}`);
    changes.push(`marked role ${grant.role}`);
  }
  if (row.rolsuper || row.rolcreatedb || row.rolcreaterole || !row.rolcanlogin || row.rolreplication || row.rolbypassrls) {
    await client.query(`ALTER ROLE ${role} ${ROLE_ATTRIBUTES}`);
    changes.push(`reset attributes of role ${grant.role}`);
  }
  if (!postgresPasswordMatches(row.rolpassword, grant.role, grant.password)) {
    await client.query(`ALTER ROLE ${role} ${passwordClause(client, grant.password)}`);
    changes.push(`set password of role ${grant.role}`);
  }
}

async function ensureDatabase(client: pg.Client, grant: DatabaseGrant, changes: string[]): Promise<void> {
  const database = pg.escapeIdentifier(grant.database);
  const role = pg.escapeIdentifier(grant.role);
  const found = await client.query<{ owner: string; comment: string | null }>(
    `SELECT pg_get_userbyid(datdba) AS owner, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
    [grant.database],
  );
  const owner = found.rows[0]?.owner;
  if (owner === undefined) {
    await client.query(`CREATE DATABASE ${database} OWNER ${role} ENCODING 'UTF8' TEMPLATE template0`);
    if (grant.comment !== undefined) await client.query(`COMMENT ON DATABASE ${database} IS ${client.escapeLiteral(grant.comment)}`);
    changes.push(`created database ${grant.database}`);
  } else {
    if (owner !== grant.role) {
      await client.query(`ALTER DATABASE ${database} OWNER TO ${role}`);
      changes.push(`made ${grant.role} the owner of database ${grant.database}`);
    }
    if (grant.comment !== undefined && found.rows[0]?.comment !== grant.comment) {
      await client.query(`COMMENT ON DATABASE ${database} IS ${client.escapeLiteral(grant.comment)}`);
      changes.push(`marked database ${grant.database}`);
    }
  }
  // Nobody but the owner may connect: PUBLIC (every role) loses CONNECT and TEMPORARY.
  const publicPrivileges = await client.query(
    `SELECT a.privilege_type FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
      WHERE d.datname = $1 AND a.grantee = 0`,
    [grant.database],
  );
  if (publicPrivileges.rowCount) {
    await client.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
    changes.push(`revoked PUBLIC access to database ${grant.database}`);
  }
  const canConnect = await client.query<{ ok: boolean }>(`SELECT has_database_privilege($1, $2, 'CONNECT') AS ok`, [grant.role, grant.database]);
  if (!canConnect.rows[0]?.ok) {
    await client.query(`GRANT CONNECT ON DATABASE ${database} TO ${role}`);
    changes.push(`granted CONNECT on database ${grant.database} to ${grant.role}`);
  }
}

/**
 * One role and one database per service; each role is a plain login (no superuser, createdb,
 * createrole) that owns its database, and only it may connect. Idempotent: a second run
 * finds everything in place and returns no changes (passwords are compared, not reset).
 */
export async function provisionPostgres(
  admin: PostgresAdmin,
  grants: readonly DatabaseGrant[],
  log: (line: string) => void = () => undefined,
): Promise<{ changes: string[] }> {
  const client = await connectAdmin(admin, log);
  const changes: string[] = [];
  try {
    // Two provisioners at once (two `up`s) must not race on CREATE ROLE.
    await client.query(`SELECT pg_advisory_lock(hashtext('trellis-adm provision'))`);
    for (const grant of grants) {
      await ensureRole(client, grant, changes);
      await ensureDatabase(client, grant, changes);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
  for (const change of changes) log(change);
  return { changes };
}

/** The comments (instance marks) of those databases and roles that exist; a missing comment is null. */
export async function findDatabasesAndRoles(
  admin: PostgresAdmin,
  names: { readonly databases: readonly string[]; readonly roles: readonly string[] },
): Promise<{ databases: { name: string; comment: string | null }[]; roles: { name: string; comment: string | null }[] }> {
  const client = await connectAdmin(admin);
  try {
    const databases = await client.query<{ name: string; comment: string | null }>(
      `SELECT datname AS name, shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = ANY($1) ORDER BY datname`,
      [names.databases],
    );
    const roles = await client.query<{ name: string; comment: string | null }>(
      `SELECT rolname AS name, shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname`,
      [names.roles],
    );
    return { databases: databases.rows, roles: roles.rows };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Drops databases (closing their connections) and then roles; names that do not exist are skipped. */
export async function dropDatabasesAndRoles(
  admin: PostgresAdmin,
  names: { readonly databases: readonly string[]; readonly roles: readonly string[] },
): Promise<void> {
  const client = await connectAdmin(admin);
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext('trellis-adm provision'))`);
    for (const database of names.databases) await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
    for (const role of names.roles) await client.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Drops what provisionPostgres made (tests clean up with it). */
export async function dropPostgres(admin: PostgresAdmin, grants: readonly DatabaseGrant[]): Promise<void> {
  await dropDatabasesAndRoles(admin, { databases: grants.map((g) => g.database), roles: grants.map((g) => g.role) });
}
