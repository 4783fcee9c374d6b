import { OrderedMap } from 'immutable';

/*
 * The steps of a run as a persistent map. Each transition makes a new state and keeps the one
 * before (the engine diffs them into rows); with a plain Map every transition copied every entry,
 * so a foreach over 10,000 items cost 10,000 copies of 10,000 entries. Immutable's OrderedMap
 * shares what a transition does not change: a copy is O(1), a write O(log n), and insertion
 * order is kept (the order steps were written in, which `cancel` and the rows follow).
 *
 * `edit(steps)` gives a draft, a Map the transition writes to; `frozen(draft)` ends it, giving
 * the ReadonlyMap the new state holds. Any ReadonlyMap may be edited (tests and a resumed run
 * build plain Maps): it is converted once.
 */

type Inner<V> = OrderedMap<string, V>;

const INNER = Symbol('step-map');

/** A persistent map seen as a ReadonlyMap, holding the OrderedMap behind it. */
type Persistent<V> = ReadonlyMap<string, V> & { readonly [INNER]: Inner<V> };

/** A draft being written by a transition: a Map, until frozen. */
export type Draft<V> = Map<string, V> & { readonly [INNER]: () => Inner<V> };

function innerOf<V>(steps: ReadonlyMap<string, V>): Inner<V> {
  const held = (steps as Partial<Persistent<V>>)[INNER];
  if (held !== undefined && OrderedMap.isOrderedMap(held)) return held;
  const draft = (steps as Partial<Draft<V>>)[INNER];
  if (typeof draft === 'function') return draft().asImmutable();
  return OrderedMap<string, V>(steps);
}

function readOnly<V>(inner: Inner<V>): Persistent<V> {
  return {
    [INNER]: inner,
    get size() { return inner.size; },
    get: (key) => inner.get(key),
    has: (key) => inner.has(key),
    forEach: (callback, thisArg) => inner.forEach((value, key) => { callback.call(thisArg, value, key, readOnly(inner)); }),
    entries: () => inner.entries()[Symbol.iterator](),
    keys: () => inner.keys()[Symbol.iterator](),
    values: () => inner.values()[Symbol.iterator](),
    [Symbol.iterator]: () => inner.entries()[Symbol.iterator](),
  };
}

/** A draft of `steps` for one transition: writes go to a copy that shares every entry they leave alone. */
export function edit<V>(steps: ReadonlyMap<string, V>): Draft<V> {
  let inner = innerOf(steps).asMutable();
  const draft: Draft<V> = {
    [INNER]: () => inner,
    get size() { return inner.size; },
    get: (key) => inner.get(key),
    has: (key) => inner.has(key),
    set: (key, value) => {
      inner = inner.set(key, value);
      return draft;
    },
    delete: (key) => {
      const had = inner.has(key);
      inner = inner.delete(key);
      return had;
    },
    clear: () => {
      inner = inner.clear();
    },
    forEach: (callback, thisArg) => inner.forEach((value, key) => { callback.call(thisArg, value, key, draft); }),
    entries: () => inner.entries()[Symbol.iterator](),
    keys: () => inner.keys()[Symbol.iterator](),
    values: () => inner.values()[Symbol.iterator](),
    [Symbol.iterator]: () => inner.entries()[Symbol.iterator](),
    [Symbol.toStringTag]: 'StepMap',
  } as Draft<V>;
  return draft;
}

/** The draft's entries as the map a state holds; the draft must not be written after. */
export function frozen<V>(steps: ReadonlyMap<string, V>): ReadonlyMap<string, V> {
  return readOnly(innerOf(steps));
}
