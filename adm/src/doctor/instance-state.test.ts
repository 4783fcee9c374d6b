import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localSettingsFromEnv } from '../local/settings.js';
import { loadSecrets } from '../secrets.js';
import { readInstanceState } from './instance-state.js';

let dir = '';
beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'trellis-doctor-state-')), '.trellis');
});
afterEach(async () => {
  await rm(join(dir, '..'), { recursive: true, force: true });
});

const instanceFile = (provisionedAt: string | null) =>
  JSON.stringify({ version: 1, name: 'trellis_doc', id: 'abc', stateDir: dir, createdAt: '2026-01-01T00:00:00Z', provisionedAt, adopted: false, secretKeyCheck: null });

describe("the doctor's view of an instance", () => {
  it('is none without an instance file, or before it was provisioned, and nothing is written', async () => {
    expect(readInstanceState(localSettingsFromEnv({ TRELLIS_STATE_DIR: dir }), {})).toMatchObject({ kind: 'none', reason: `no Trellis instance is set up in ${dir} (no instance.json)` });
    await loadSecrets(join(dir, 'secrets.env'), {});
    await writeFile(join(dir, 'instance.json'), instanceFile(null));
    expect(readInstanceState(localSettingsFromEnv({ TRELLIS_STATE_DIR: dir }), {})).toMatchObject({ kind: 'none', reason: `instance trellis_doc in ${dir} was never provisioned` });
    expect((await readdir(dir)).sort()).toEqual(['instance.json', 'secrets.env']);
  });

  it('reads secrets.env as it is, the environment winning, and names what is missing instead of making it', async () => {
    const file = join(dir, 'secrets.env');
    const full = await loadSecrets(file, {});
    await writeFile(join(dir, 'instance.json'), instanceFile('2026-01-01T00:00:00Z'));
    const text = (await readFile(file, 'utf8')).replace(/^TRELLIS_STUDIO_DB_PASSWORD=.*\n/m, '');
    await writeFile(file, text);
    await chmod(file, 0o644);
    const state = readInstanceState(localSettingsFromEnv({ TRELLIS_STATE_DIR: dir }), { TRELLIS_SECRET_KEY: 'from-env' });
    expect(state).toMatchObject({ kind: 'found', secrets: undefined, missing: ['TRELLIS_STUDIO_DB_PASSWORD'] });
    if (state.kind !== 'found') throw new Error('found');
    expect(state.keys).toMatchObject({ secretKey: 'from-env', secretKeyFromEnv: true, runnerSealingKey: full.runnerSealingKey, secretsFileOpen: true });
    expect(state.keys.runnerPublicKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(await readFile(file, 'utf8')).toBe(text);
  });
});
