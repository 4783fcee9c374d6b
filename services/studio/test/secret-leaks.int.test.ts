// A secret's value, once given to studio, shows up nowhere in clear: not in an HTTP answer,
// not in a log line, not in a broker message, not in studio's database.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { makeSecretBox } from '@trellis/platform/crypto/secret-box';
import { makeOpener, secretAad } from '@trellis/platform/crypto/sealed-box';
import { eventually } from '@trellis/platform/testing/eventually';
import { secretContext } from '../src/application/set-secret.js';
import * as pb from '../src/infrastructure/pb/studio/v1/events.js';
import { useStudio, type Tapped } from './fixtures.js';
import { makeCall } from './http-calls.js';

const { studio, knownProject, published, lines, secretKey, runnerKeys } = useStudio();
const answers: string[] = [];
const call = makeCall(() => studio.base, answers);

/** Distinctive values: a hit can only be a leak. */
const FIRST = `leak-canary-one-${randomUUID()}`;
const ROTATED = `leak-canary-two-${randomUUID()}`;
const REFUSED = `leak-canary-refused-${randomUUID()}`;

/** Every way a value may be written out: as is, in JSON, base64, base64url, hex. */
const formsOf = (value: string) => {
  const bytes = Buffer.from(value, 'utf8');
  return [value, JSON.stringify(value).slice(1, -1), bytes.toString('base64').slice(0, -4), bytes.toString('base64url').slice(0, -4), bytes.toString('hex')];
};

/** Every row of every table of studio's database, as text (bytea as hex). */
async function databaseText(): Promise<string> {
  const { rows: tables } = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`.execute(studio.database.db);
  const dumps = await Promise.all(tables.map(async ({ name }) =>
    (await sql<{ row: string }>`select to_jsonb(t)::text as row from ${sql.table(name)} t`.execute(studio.database.db)).rows.map((r) => r.row).join('\n')));
  return dumps.join('\n');
}

describe('a secret value', () => {
  it('appears in no answer, log line, broker message or database row, however it is set, rotated, refused, read and deleted', async () => {
    const projectId = await knownProject();
    const developer = await studio.jwks.sign({ projectId, role: 'developer' });
    const viewer = await studio.jwks.sign({ projectId, role: 'viewer' });

    expect((await call('PUT', '/secrets/CANARY', { token: developer, body: { value: FIRST } })).status).toBe(201);
    // While it is stored: sealed with studio's key for its row, and nothing else.
    const stored = await studio.database.db.selectFrom('project_secrets').select('sealed').where('project_id', '=', projectId).where('name', '=', 'CANARY').executeTakeFirstOrThrow();
    expect(makeSecretBox(Buffer.from(secretKey, 'base64')).open(stored.sealed, secretContext(projectId, 'CANARY'))).toBe(FIRST);
    expect(() => makeSecretBox(Buffer.from(secretKey, 'base64')).open(stored.sealed, secretContext(projectId, 'OTHER'))).toThrow();
    const whileStored = await databaseText();
    for (const form of formsOf(FIRST)) expect(whileStored).not.toContain(form);

    expect((await call('PUT', '/secrets/CANARY', { token: developer, body: { value: ROTATED } })).status).toBe(200);
    // Refused ones: a viewer, a bad name, a bad shape, too large, another project.
    expect((await call('PUT', '/secrets/CANARY', { token: viewer, body: { value: REFUSED } })).status).toBe(403);
    expect((await call('PUT', '/secrets/bad-name', { token: developer, body: { value: REFUSED } })).status).toBe(400);
    expect((await call('PUT', '/secrets/CANARY', { token: developer, body: { value: REFUSED, extra: REFUSED } })).status).toBe(400);
    expect((await call('PUT', '/secrets/CANARY', { token: developer, body: { value: [REFUSED] } })).status).toBe(400);
    expect((await call('PUT', '/secrets/CANARY', { token: developer, body: { value: REFUSED.repeat(2000) } })).status).toBe(400);
    expect((await call('PUT', '/secrets/CANARY', { token: developer, rawBody: `{"value":"${REFUSED}"`, contentType: 'application/json' })).status).toBe(400);
    expect((await call('PUT', '/secrets/CANARY', { token: await studio.jwks.sign({ projectId: randomUUID(), role: 'owner' }), body: { value: REFUSED } })).status).toBe(404);
    // Read every way there is.
    for (const path of ['/secrets', '/secrets/CANARY', '/secrets?search=CAN', '/variables', '/openapi.json']) expect((await call('GET', path, { token: viewer })).status).toBe(200);

    // The runner got each value sealed: wait for both ProjectSecretSet, and open them to be sure they are the values.
    const messages: Tapped[] = [];
    await eventually(async () => {
      messages.push(...(await published()));
      return messages.filter((m) => m.type === 'trellis.studio.v1.ProjectSecretSet').length;
    }, (n) => n >= 2);
    const opener = makeOpener(runnerKeys.privateKey);
    const opened = await Promise.all(messages.filter((m) => m.type === 'trellis.studio.v1.ProjectSecretSet')
      .map((m) => opener.open(pb.ProjectSecretSet.decode(m.content).sealedValue, secretAad(projectId, 'CANARY'))));
    expect(opened).toEqual([FIRST, ROTATED]);

    expect((await call('DELETE', '/secrets/CANARY', { token: developer })).status).toBe(204);
    await eventually(async () => {
      messages.push(...(await published()));
      return messages.some((m) => m.type === 'trellis.studio.v1.ProjectSecretDeleted');
    }, Boolean);

    const logs = lines.join('\n');
    expect(lines.filter((line) => line.includes('"message":"request"')).length).toBeGreaterThanOrEqual(15);
    const database = await databaseText();
    expect(database).toContain('ProjectSecretSet'); // the outbox rows are there (sealed), and were scanned
    const broker = messages.map((m) => m.content.toString('latin1')).join('\n');
    expect(messages.length).toBeGreaterThanOrEqual(3);
    for (const value of [FIRST, ROTATED, REFUSED]) {
      for (const form of formsOf(value)) {
        expect(answers.join('\n')).not.toContain(form);
        expect(logs).not.toContain(form);
        expect(broker).not.toContain(form);
        expect(database).not.toContain(form);
      }
    }
  });
});
