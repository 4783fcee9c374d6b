import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The images the builder made of each action version (issue 17), site -> reference
 * (`{ "docker": "...", "kubernetes": "..." }`). Versions built before have none: they deploy
 * to the local site only until rebuilt with images.
 */
export const actionImages: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await sql`alter table library_actions add column images jsonb not null default '{}'::jsonb`.execute(db);
  },
};
