// Forward-only, and migrated from every earlier schema (issue 16): packages/platform/src/testing/migration-history.ts.
import { describeMigrationHistory } from '@trellis/platform/testing/migration-history';
import { migrations } from '../src/infrastructure/postgres/migrations.js';

describeMigrationHistory('action-builder', migrations);
