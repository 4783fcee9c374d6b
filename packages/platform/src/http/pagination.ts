import { z } from 'zod';
import type { Page } from '@trellis/kernel/page';
import { HttpProblem } from './problem.js';

/**
 * Cursor pagination at the HTTP edge, the same for every list of every service: `?limit&cursor`
 * in, `{ items, next }` out; `next` is the cursor of the following page, or null. Queries fetch
 * `limit + 1` rows after the decoded key and cut them with the kernel's `pageOf`.
 */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Items per page (1 to 200)'),
  cursor: z.string().max(512).optional().describe('The `next` value of the previous page'),
};

export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), next: z.string().nullable().describe('Cursor of the next page; null on the last page') });

/** Cursors are opaque to clients: base64url of the sort key of the last item. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor<T extends z.ZodType>(cursor: string | undefined, shape: T): z.output<T> | undefined {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = shape.safeParse(parsed);
  if (!result.success) throw new HttpProblem(400, 'invalid_cursor', 'Invalid cursor', 'Pass the `next` value of a previous page unchanged.');
  return result.data;
}

export function pageAnswer<T, V>(page: Page<T>, view: (item: T) => V, keyOf: (item: T) => readonly (string | number)[]) {
  const last = page.items.at(-1);
  return { items: page.items.map(view), next: page.more && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
