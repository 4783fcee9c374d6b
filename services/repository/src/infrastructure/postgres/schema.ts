import type { MessagingTables } from '@trellis/platform/postgres/messaging-tables';
import type { TenancyTables } from '@trellis/platform/tenancy/postgres';

export type Database = MessagingTables & TenancyTables;
