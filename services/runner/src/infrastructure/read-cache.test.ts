import { describe, expect, it } from 'vitest';
import { makeReadCache } from './read-cache.js';

/** A load that counts its calls and answers what `value` holds at the time. */
function aSource<T>(initial: T) {
  const source = { value: initial, loads: 0, load: async () => { source.loads += 1; return source.value; } };
  return source;
}

function aCache(ttlMs = 60_000) {
  const clock = { now: 0 };
  const cache = makeReadCache({ ttlMs, now: () => clock.now });
  return { cache, clock };
}

describe('the read cache', () => {
  it('reads through until it listens (the first notice), then keeps each value', async () => {
    const { cache } = aCache();
    const source = aSource('v1');
    await cache.read('k', source.load);
    await cache.read('k', source.load);
    expect(source.loads).toBe(2);
    cache.changed();
    expect([await cache.read('k', source.load), await cache.read('k', source.load)]).toEqual(['v1', 'v1']);
    expect(source.loads).toBe(3);
  });

  it('reads again after a change notice', async () => {
    const { cache } = aCache();
    const source = aSource('v1');
    cache.changed();
    await cache.read('k', source.load);
    source.value = 'v2';
    expect(await cache.read('k', source.load)).toBe('v1');
    cache.changed();
    expect(await cache.read('k', source.load)).toBe('v2');
  });

  it('never keeps a read that began before a change', async () => {
    const { cache } = aCache();
    cache.changed();
    let answer: (value: string) => void = () => {};
    const early = cache.read('k', () => new Promise<string>((resolve) => { answer = resolve; }));
    cache.changed();
    answer('old');
    expect(await early).toBe('old');
    expect(await cache.read('k', async () => 'new')).toBe('new');
  });

  it('reads through while deaf (notices may be missed), and keeps again once listening', async () => {
    const { cache } = aCache();
    const source = aSource('v1');
    cache.changed();
    await cache.read('k', source.load);
    cache.deaf();
    source.value = 'v2';
    expect(await cache.read('k', source.load)).toBe('v2');
    source.value = 'v3';
    expect(await cache.read('k', source.load)).toBe('v3');
    cache.changed();
    await cache.read('k', source.load);
    const loads = source.loads;
    await cache.read('k', source.load);
    expect(source.loads).toBe(loads);
  });

  it('keeps an entry at most ttlMs', async () => {
    const { cache, clock } = aCache(1000);
    const source = aSource('v1');
    cache.changed();
    await cache.read('k', source.load);
    source.value = 'v2';
    clock.now = 999;
    expect(await cache.read('k', source.load)).toBe('v1');
    clock.now = 1000;
    expect(await cache.read('k', source.load)).toBe('v2');
  });

  it('keeps neither undefined nor a failure, and forgets one key on demand', async () => {
    const { cache } = aCache();
    cache.changed();
    const missing = aSource<string | undefined>(undefined);
    await cache.read('gone', missing.load);
    await cache.read('gone', missing.load);
    expect(missing.loads).toBe(2);
    await expect(cache.read('bad', async () => { throw new Error('down'); })).rejects.toThrow('down');
    expect(await cache.read('bad', async () => 'back')).toBe('back');
    const source = aSource('v1');
    await cache.read('k', source.load);
    source.value = 'v2';
    cache.forget('k');
    expect(await cache.read('k', source.load)).toBe('v2');
  });
});
