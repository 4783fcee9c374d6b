import type { Generated } from 'kysely';
import type { MessagingTables } from '@trellis/platform/postgres/messaging-tables';

export type ProjectsTable = { id: string; name: string; created_at: Date; recorded_at: Generated<Date> };

export type Database = MessagingTables & { projects: ProjectsTable };
