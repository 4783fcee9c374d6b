import { cp, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseInstanceName, openInstance, readInstanceFile, writeInstanceFile } from './instance-file.js';

let root = '';
let stateDir = '';
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'trellis-instance-'));
  stateDir = join(root, 'checkout', '.trellis');
  await mkdir(stateDir, { recursive: true });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const checkout = () => join(root, 'checkout');

describe('the instance of a state directory', () => {
  it('is made on first use (name derived from the paths, a random id), kept owner-only, and read back', async () => {
    const instance = await openInstance(stateDir, checkout(), {});
    expect(instance).toMatchObject({ version: 1, name: expect.stringMatching(/^trellis_checkout_[0-9a-f]{6}$/), id: expect.stringMatching(/^[0-9a-f]{16}$/), stateDir, provisionedAt: null, adopted: false });
    expect((await stat(join(stateDir, 'instance.json'))).mode & 0o777).toBe(0o600);
    expect(await openInstance(stateDir, checkout(), {})).toEqual(instance);
    expect(chooseInstanceName(stateDir, checkout(), {})).toEqual({ name: instance.name, source: 'file' });
  });

  it('gets a new id, and the same name, when .trellis/ was removed', async () => {
    const first = await openInstance(stateDir, checkout(), {});
    await rm(stateDir, { recursive: true });
    const second = await openInstance(stateDir, checkout(), {});
    expect(second.name).toBe(first.name);
    expect(second.id).not.toBe(first.id);
  });

  it('takes TRELLIS_INSTANCE, until something was provisioned under the name; then refuses another', async () => {
    expect((await openInstance(stateDir, checkout(), { TRELLIS_INSTANCE: 'demo' })).name).toBe('demo');
    expect((await openInstance(stateDir, checkout(), { TRELLIS_INSTANCE: 'demo_two' })).name).toBe('demo_two');
    const file = readInstanceFile(stateDir);
    if (!file) throw new Error('no instance file');
    await writeInstanceFile({ ...file, provisionedAt: new Date().toISOString() });
    await expect(openInstance(stateDir, checkout(), { TRELLIS_INSTANCE: 'demo' })).rejects.toThrow(/belongs to instance demo_two, but TRELLIS_INSTANCE=demo names another[\s\S]*TRELLIS_STATE_DIR/);
    expect((await openInstance(stateDir, checkout(), {})).name).toBe('demo_two');
    expect(() => chooseInstanceName(stateDir, checkout(), { TRELLIS_INSTANCE: 'Not-A-Name' })).toThrow(/TRELLIS_INSTANCE: "Not-A-Name" is not an instance name/);
  });

  it('adopts a .trellis/ made by an older trellis-adm (secrets, no instance file) as instance "trellis"', async () => {
    await writeFile(join(stateDir, 'secrets.env'), 'TRELLIS_SECRET_KEY=x\n');
    expect(chooseInstanceName(stateDir, checkout(), {})).toEqual({ name: 'trellis', source: 'legacy' });
    expect(await openInstance(stateDir, checkout(), {})).toMatchObject({ name: 'trellis', adopted: true });
  });

  it('follows its checkout when it moves, and refuses a copy of one that still exists', async () => {
    const first = await openInstance(stateDir, checkout(), {});
    const copy = join(root, 'copy', '.trellis');
    await cp(stateDir, copy, { recursive: true });
    await expect(openInstance(copy, join(root, 'copy'), {})).rejects.toThrow(new RegExp(`is a copy of ${stateDir} \\(the same instance ${first.name}`));
    await rm(copy, { recursive: true });
    const moved = join(root, 'moved');
    await rename(join(root, 'checkout'), moved);
    const found = await openInstance(join(moved, '.trellis'), moved, {});
    expect(found).toMatchObject({ id: first.id, name: first.name, stateDir: join(moved, '.trellis') });
    expect(JSON.parse(await readFile(join(moved, '.trellis', 'instance.json'), 'utf8'))).toMatchObject({ stateDir: join(moved, '.trellis') });
  });

  it('says what to do with an instance file it cannot read', async () => {
    await writeFile(join(stateDir, 'instance.json'), '{"version": 7}');
    expect(() => readInstanceFile(stateDir)).toThrow(/is not an instance file of this trellis-adm/);
  });
});
