import { describe, expect, it } from 'vitest';
import { makeGroupCommitter } from './committer.js';

type Item = { run: string; n: number };

/** A write the test releases by hand: each call is a batch the committer handed over. */
function aHeldWrite() {
  const batches: Item[][] = [];
  const releases: Array<(fail?: Error) => void> = [];
  const write = (batch: readonly Item[]) => new Promise<readonly string[]>((resolve, reject) => {
    batches.push([...batch]);
    releases.push((fail) => (fail ? reject(fail) : resolve(batch.map((item) => `${item.run}:${item.n}`))));
  });
  const release = (fail?: Error) => (releases.shift() as (fail?: Error) => void)(fail);
  return { write, batches, release };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the group committer', () => {
  it('writes a lone item at once, then everything that came meanwhile in one batch, each caller getting its own result', async () => {
    const held = aHeldWrite();
    const committer = makeGroupCommitter<Item, string>({ write: held.write, keyOf: (item) => item.run, maxBatch: 100 });
    const first = committer.commit({ run: 'a', n: 1 });
    await tick();
    expect(held.batches).toEqual([[{ run: 'a', n: 1 }]]);
    const later = ['b', 'c', 'd'].map((run) => committer.commit({ run, n: 1 }));
    await tick();
    expect(held.batches).toHaveLength(1); // nothing written before the previous write returns
    held.release();
    expect(await first).toBe('a:1');
    await tick();
    expect(held.batches[1]).toEqual([{ run: 'b', n: 1 }, { run: 'c', n: 1 }, { run: 'd', n: 1 }]);
    let answered = false;
    void Promise.all(later).then(() => { answered = true; });
    await tick();
    expect(answered).toBe(false); // nobody is answered before its write returned
    held.release();
    expect(await Promise.all(later)).toEqual(['b:1', 'c:1', 'd:1']);
  });

  it('never puts two items of one key in a batch, and keeps their order', async () => {
    const held = aHeldWrite();
    const committer = makeGroupCommitter<Item, string>({ write: held.write, keyOf: (item) => item.run, maxBatch: 100 });
    const blocker = committer.commit({ run: 'z', n: 0 });
    const results = [committer.commit({ run: 'a', n: 1 }), committer.commit({ run: 'a', n: 2 }), committer.commit({ run: 'b', n: 1 }), committer.commit({ run: 'a', n: 3 })];
    held.release();
    await blocker;
    await tick();
    expect(held.batches[1]).toEqual([{ run: 'a', n: 1 }, { run: 'b', n: 1 }]);
    held.release();
    await tick();
    expect(held.batches[2]).toEqual([{ run: 'a', n: 2 }]);
    held.release();
    await tick();
    expect(held.batches[3]).toEqual([{ run: 'a', n: 3 }]);
    held.release();
    expect(await Promise.all(results)).toEqual(['a:1', 'a:2', 'b:1', 'a:3']);
  });

  it('bounds a batch, fails every item of a failed write and goes on with the next', async () => {
    const held = aHeldWrite();
    const committer = makeGroupCommitter<Item, string>({ write: held.write, keyOf: (item) => item.run, maxBatch: 2 });
    const blocker = committer.commit({ run: 'z', n: 0 });
    const [a, b, c] = ['a', 'b', 'c'].map((run) => committer.commit({ run, n: 1 })) as [Promise<string>, Promise<string>, Promise<string>];
    held.release();
    await blocker;
    await tick();
    expect(held.batches[1]).toEqual([{ run: 'a', n: 1 }, { run: 'b', n: 1 }]);
    held.release(new Error('database down'));
    await expect(a).rejects.toThrow('database down');
    await expect(b).rejects.toThrow('database down');
    await tick();
    expect(held.batches[2]).toEqual([{ run: 'c', n: 1 }]);
    held.release();
    expect(await c).toBe('c:1');
    await committer.drain();
  });
});

describe('the group committer with merge', () => {
  it('merges the items of one key waiting together into one item of the batch, in order, and answers each caller', async () => {
    const held = aHeldWrite();
    const merge = (a: Item, b: Item): Item => ({ run: a.run, n: a.n * 10 + b.n });
    const committer = makeGroupCommitter<Item, string>({ write: held.write, keyOf: (item) => item.run, maxBatch: 100, merge });
    const first = committer.commit({ run: 'a', n: 1 });
    await tick();
    const later = [committer.commit({ run: 'a', n: 2 }), committer.commit({ run: 'b', n: 1 }), committer.commit({ run: 'a', n: 3 })];
    held.release();
    expect(await first).toBe('a:1');
    await tick();
    expect(held.batches[1]).toEqual([{ run: 'a', n: 23 }, { run: 'b', n: 1 }]);
    held.release();
    expect(await Promise.all(later)).toEqual(['a:23', 'b:1', 'a:23']);
  });
});
