/**
 * What no route can take, whatever its schema, found before the schema looks: JSON nested deeper
 * than any document needs (a schema of recursive values - a workflow, a trigger's inputs -
 * walks it by recursion and would overflow the stack), and the NUL character, which PostgreSQL
 * cannot store in text or jsonb (a query that carries one fails in the database).
 */
export const MAX_JSON_DEPTH = 100;

export type UnsafeValue = { path: string; message: string };

/** The first unsafe spot of a parsed request value (params, query or JSON body), walked without recursion. */
export function findUnsafeValue(value: unknown, where: string, maxDepth = MAX_JSON_DEPTH): UnsafeValue | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: where, depth: 0 }];
  while (stack.length > 0) {
    const { value: item, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return { path, message: 'Contains a NUL character (U+0000)' };
      continue;
    }
    if (typeof item !== 'object' || item === null) continue;
    // The whole part is named: the path down there would be a hundred segments long.
    if (depth >= maxDepth) return { path: where, message: `Nested deeper than ${maxDepth} levels` };
    for (const [key, child] of Object.entries(item)) {
      if (key.includes('\u0000')) return { path, message: 'A name contains a NUL character (U+0000)' };
      stack.push({ value: child, path: `${path}.${key}`, depth: depth + 1 });
    }
  }
  return undefined;
}
