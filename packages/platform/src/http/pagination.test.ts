import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { pageOf } from '@trellis/kernel/page';
import { decodeCursor, encodeCursor, pageAnswer, pageQuery } from './pagination.js';
import { HttpProblem } from './problem.js';

const key = z.tuple([z.iso.datetime(), z.uuid()]);

describe('cursor pagination', () => {
  it('gives the next page\'s cursor only when more rows follow, and the cursor decodes to the last item\'s key', () => {
    const rows = [{ id: '0b3c0a5e-8d7f-4b8e-9a51-6a1f1c2d3e4f', at: '2026-11-01T10:00:00.000Z' }, { id: 'x', at: 'y' }];
    const first = pageAnswer(pageOf(rows, 1), (row) => row.id, (row) => [row.at, row.id]);
    expect(first.items).toEqual([rows[0]?.id]);
    expect(decodeCursor(first.next ?? undefined, key)).toEqual([rows[0]?.at, rows[0]?.id]);
    expect(pageAnswer(pageOf(rows.slice(0, 1), 1), (row) => row.id, (row) => [row.at, row.id]).next).toBeNull();
  });

  it('refuses a cursor that was not handed out with a 400 invalid_cursor', () => {
    for (const bad of ['not base64 json', encodeCursor(['2026-11-01T10:00:00Z']), encodeCursor([1, 2]), '']) {
      let thrown: unknown;
      try {
        decodeCursor(bad, key);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(HttpProblem);
      expect((thrown as HttpProblem).status).toBe(400);
      expect((thrown as HttpProblem).code).toBe('invalid_cursor');
    }
    expect(decodeCursor(undefined, key)).toBeUndefined();
  });

  it('takes limit 1 to 200, 50 by default', () => {
    const query = z.object(pageQuery);
    expect(query.parse({}).limit).toBe(50);
    expect(query.parse({ limit: '200' }).limit).toBe(200);
    expect(query.safeParse({ limit: '0' }).success).toBe(false);
    expect(query.safeParse({ limit: '201' }).success).toBe(false);
  });
});
