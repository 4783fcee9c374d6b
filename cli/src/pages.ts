/** One page of a list as every Trellis list answers it. */
export type Page<T> = { items: T[]; next: string | null };

/** Every item of a cursor-paginated list: `fetchPage(cursor)` until no next cursor. */
export async function allItems<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    cursor = page.next ?? undefined;
  } while (cursor);
  return items;
}
