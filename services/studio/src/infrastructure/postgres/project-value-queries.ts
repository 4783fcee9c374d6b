import type { Kysely } from 'kysely';
import { pageOf, type Page } from '@trellis/kernel/page';
import type { Secret, Variable } from '../../domain/project-values.js';
import { SECRET_COLUMNS, secretFromRow, variableFromRow } from './project-value-repositories.js';
import type { Database } from './schema.js';

/** `text` anywhere in a name, any case; `%`, `_` and `\` are characters, not wildcards. */
const likePattern = (text: string) => `%${text.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export type ValueListRequest = { search?: string | undefined; limit: number; after?: string | undefined };

/** Read-only views of the project's variables and secrets for the HTTP edge, by name (keyset pagination). Never a secret's value. */
export function makeProjectValueQueries(db: Kysely<Database>) {
  return {
    variables: async (projectId: string, input: ValueListRequest): Promise<Page<Variable>> => {
      let query = db.selectFrom('project_variables').selectAll().where('project_id', '=', projectId);
      if (input.search?.trim()) query = query.where('name', 'ilike', likePattern(input.search));
      if (input.after !== undefined) query = query.where('name', '>', input.after);
      return pageOf((await query.orderBy('name').limit(input.limit + 1).execute()).map(variableFromRow), input.limit);
    },
    variable: async (projectId: string, name: string): Promise<Variable | undefined> => {
      const row = await db.selectFrom('project_variables').selectAll().where('project_id', '=', projectId).where('name', '=', name).executeTakeFirst();
      return row && variableFromRow(row);
    },
    secrets: async (projectId: string, input: ValueListRequest): Promise<Page<Secret>> => {
      let query = db.selectFrom('project_secrets').select(SECRET_COLUMNS).where('project_id', '=', projectId);
      if (input.search?.trim()) query = query.where('name', 'ilike', likePattern(input.search));
      if (input.after !== undefined) query = query.where('name', '>', input.after);
      return pageOf((await query.orderBy('name').limit(input.limit + 1).execute()).map(secretFromRow), input.limit);
    },
    secret: async (projectId: string, name: string): Promise<Secret | undefined> => {
      const row = await db.selectFrom('project_secrets').select(SECRET_COLUMNS).where('project_id', '=', projectId).where('name', '=', name).executeTakeFirst();
      return row && secretFromRow(row);
    },
  };
}

export type ProjectValueQueries = ReturnType<typeof makeProjectValueQueries>;
