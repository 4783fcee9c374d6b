/**
 * Dependencies that are never used: route factories take them to build the handlers, and
 * describing the routes (the OpenAPI document of a service that does not run) never calls a
 * handler. Anything read from them is inert too; calling one, or reading one as a value,
 * throws with the name given, so a factory that uses a dependency while building is caught.
 */
export function inertDependencies<T>(name: string): T {
  const fail = (what: string): never => {
    throw new Error(`${name} is inert (the routes are being described, not served): it was ${what}`);
  };
  const make = (path: string): unknown => new Proxy(function inert() {}, {
    get: (_target, property) => {
      if (property === Symbol.toPrimitive || property === 'toString' || property === 'valueOf') return () => fail(`read as a value at ${path}`);
      if (property === 'then') return undefined; // not a promise
      return make(`${path}.${String(property)}`);
    },
    apply: () => fail(`called at ${path}`),
    construct: () => fail(`constructed at ${path}`),
  });
  return make(name) as T;
}
