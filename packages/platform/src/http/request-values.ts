/**
 * What no route can take, whatever its schema, found before the schema looks: JSON nested deeper
 * than any document needs (a schema of recursive values - a workflow, a trigger's inputs -
 * walks it by recursion and would overflow the stack), the NUL character, which PostgreSQL
 * cannot store in text or jsonb (a query that carries one fails in the database), and a lone
 * surrogate (`"\ud800"` in JSON: half of a UTF-16 pair, no character at all), which PostgreSQL's
 * json refuses in turn ("invalid input syntax for type json") and which no UTF-8 text can hold.
 */
export const MAX_JSON_DEPTH = 100;

export type UnsafeValue = { path: string; message: string };

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What in a text no route can take (a NUL, a lone surrogate), in words, or undefined. */
export function unsafeText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'a NUL character (U+0000)';
  if (loneSurrogate.test(text)) return 'a lone UTF-16 surrogate (half of a character, e.g. \\ud800)';
  return undefined;
}

/** The first unsafe spot of a parsed request value (params, query or JSON body), walked without recursion. */
export function findUnsafeValue(value: unknown, where: string, maxDepth = MAX_JSON_DEPTH): UnsafeValue | undefined {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: where, depth: 0 }];
  while (stack.length > 0) {
    const { value: item, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    if (typeof item === 'string') {
      const unsafe = unsafeText(item);
      if (unsafe) return { path, message: `Contains ${unsafe}` };
      continue;
    }
    if (typeof item !== 'object' || item === null) continue;
    // The whole part is named: the path down there would be a hundred segments long.
    if (depth >= maxDepth) return { path: where, message: `Nested deeper than ${maxDepth} levels` };
    for (const [key, child] of Object.entries(item)) {
      const unsafe = unsafeText(key);
      if (unsafe) return { path, message: `A name contains ${unsafe}` };
      stack.push({ value: child, path: `${path}.${key}`, depth: depth + 1 });
    }
  }
  return undefined;
}
