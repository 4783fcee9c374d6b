import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Where each deployed version runs (issue 17): local, docker or kubernetes, as studio chose it
 * (the document's `site`, else its instance's default). Versions received before ran locally.
 * The image of each action for that site rides in the pinned actions (jsonb) already.
 */
export const versionSites: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema as it was then
  async up(db: Kysely<any>) {
    await sql`alter table deployed_versions add column site text not null default 'local' check (site in ('local', 'docker', 'kubernetes'))`.execute(db);
  },
};
