/** Every item of a paged list: reads page after page, following each answer's `next` cursor. */
export async function allPages<T>(read: (cursor: string | undefined) => Promise<{ items: T[]; next?: string | null }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    items.push(...page.items);
    cursor = page.next ?? undefined;
  } while (cursor);
  return items;
}
