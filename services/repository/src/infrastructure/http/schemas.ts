import { z } from 'zod';

/** A project as this service knows it (its name as announced when it was created). */
export const projectBody = z.object({
  id: z.uuid(),
  name: z.string(),
  created_at: z.iso.datetime({ offset: true }),
});

export type ProjectBody = z.output<typeof projectBody>;
