import { describe, expect, it } from 'vitest';
import type { Instance, Mark } from './instance.js';
import { judge, resettable, type FoundResource } from './ownership.js';

const here = '/work/main/.trellis';

function anInstance(change: Partial<Instance> = {}): Instance {
  return { version: 1, name: 'trellis_main_abc123', id: 'aaaa', stateDir: here, createdAt: '2025-01-01T00:00:00Z', provisionedAt: null, adopted: false, secretKeyCheck: null, ...change };
}

const mark = (id: string, stateDir = here): Mark => ({ name: 'trellis_main_abc123', id, stateDir });
const database = (m?: Mark): FoundResource => ({ kind: 'database', name: 'trellis_main_abc123_studio', ...(m ? { mark: m } : {}) });
const vhost = (m?: Mark): FoundResource => ({ kind: 'vhost', name: 'trellis_main_abc123', ...(m ? { mark: m } : {}) });
const user: FoundResource = { kind: 'broker user', name: 'trellis_main_abc123_studio' };

const established = { provisionedAt: '2025-01-02T00:00:00Z' };

describe('what up does with the resources named after its instance', () => {
  it.each<[string, Partial<Instance>, FoundResource[], Verdict['kind']]>([
    ['nothing there yet', {}, [], 'provision'],
    ['its own resources', established, [database(mark('aaaa')), vhost(mark('aaaa')), user], 'provision'],
    ['its own, moved with the checkout', established, [database(mark('aaaa', '/old/place/.trellis'))], 'provision'],
    ['broker users alone carry no mark: taken over', {}, [user], 'provision'],
    ['an earlier start of this checkout, .trellis/ removed since', {}, [database(mark('bbbb')), vhost(mark('bbbb')), user], 'start over'],
    ['an earlier start, but these secrets were provisioned: .trellis/ is not the one that made them', established, [database(mark('bbbb'))], 'refuse'],
    ["another checkout's instance of the same name", {}, [database(mark('cccc', '/tmp/clone/.trellis'))], 'refuse'],
    ["another checkout's, even next to leftovers of ours", {}, [database(mark('bbbb')), vhost(mark('cccc', '/tmp/clone/.trellis'))], 'refuse'],
    ['unmarked (an older trellis-adm, or by hand), for a new instance', {}, [database(), vhost()], 'refuse'],
    ['unmarked, taken over by an instance adopted from an older .trellis/', { adopted: true }, [database(), vhost(), user], 'provision'],
    ['unmarked next to its own marks: a start stopped between create and mark', {}, [database(), vhost(mark('aaaa'))], 'provision'],
    ['unmarked, for an instance provisioned before', established, [database()], 'provision'],
  ])('%s', (_case, change, found, expected) => {
    expect(judge(anInstance(change), found).kind).toBe(expected);
  });

  it('drops everything named after the instance when it starts over, broker users included', () => {
    const found = [database(mark('bbbb')), vhost(mark('bbbb')), user];
    expect(judge(anInstance(), found)).toEqual({ kind: 'start over', leftovers: found });
  });

  it('says whose the resources are and what to do', () => {
    const foreign = judge(anInstance(), [database(mark('cccc', '/tmp/clone/.trellis'))]);
    expect(foreign).toMatchObject({ kind: 'refuse', reason: expect.stringMatching(/taken by the Trellis instance of \/tmp\/clone\/\.trellis[\s\S]*TRELLIS_INSTANCE=<name> make up/) });
    const replaced = judge(anInstance(established), [database(mark('bbbb'))]);
    expect(replaced).toMatchObject({ kind: 'refuse', reason: expect.stringMatching(/another start of this checkout \(id bbbb\)[\s\S]*make reset/) });
    const unmarked = judge(anInstance(), [database()]);
    expect(unmarked).toMatchObject({ kind: 'refuse', reason: expect.stringMatching(/no Trellis instance mark[\s\S]*make reset/) });
  });
});

describe('what reset may drop', () => {
  it('everything of the instance, leftovers and unmarked ones included', () => {
    const found = [database(mark('aaaa')), vhost(mark('bbbb')), database(), user];
    expect(resettable(anInstance(established), found)).toEqual({ ok: true, drop: found });
  });

  it("nothing when another checkout's instance owns part of it", () => {
    const verdict = resettable(anInstance(), [database(mark('aaaa')), vhost(mark('cccc', '/tmp/clone/.trellis'))]);
    expect(verdict).toMatchObject({ ok: false, reason: expect.stringMatching(/belong to the Trellis instance of \/tmp\/clone\/\.trellis/) });
  });
});

type Verdict = ReturnType<typeof judge>;
