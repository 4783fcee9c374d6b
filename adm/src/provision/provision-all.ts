import type { ObjectStoreConfig } from '@trellis/platform/object-store';
import { SERVICES, accountOf, exchangeOf } from '../catalog.js';
import type { Secrets } from '../secrets.js';
import { ensureBucket } from './object-store.js';
import { provisionPostgres, type DatabaseGrant, type PostgresAdmin } from './postgres.js';
import { provisionRabbitmq, type BrokerPlan, type RabbitAdmin } from './rabbitmq.js';

export type ProvisionInput = {
  /** `trellis` for a real instance; tests pass a prefix of their own so they never touch it. */
  readonly namePrefix: string;
  readonly vhost: string;
  readonly secrets: Secrets;
  readonly postgres: PostgresAdmin;
  readonly rabbitmq: RabbitAdmin;
  /** When given, the bucket is made too (the local object store makes its own at start). */
  readonly objectStore?: ObjectStoreConfig;
  /** The instance mark the databases, roles and the vhost carry (see instance/instance.ts); none in deployments. */
  readonly mark?: string;
};

export function databaseGrants(namePrefix: string, secrets: Secrets, mark?: string): DatabaseGrant[] {
  return SERVICES.map((s) => ({
    role: accountOf(namePrefix, s.name),
    database: accountOf(namePrefix, s.name),
    password: secrets.postgres[s.name],
    ...(mark === undefined ? {} : { comment: mark }),
  }));
}

export function brokerPlan(namePrefix: string, vhost: string, secrets: Secrets, mark?: string): BrokerPlan {
  return {
    vhost,
    ...(mark === undefined ? {} : { description: mark }),
    users: SERVICES.map((s) => ({ service: s.name, user: accountOf(namePrefix, s.name), password: secrets.amqp[s.name] })),
    exchanges: SERVICES.map((s) => exchangeOf(s.name)),
  };
}

/** Databases and roles, the broker's vhost, users and exchanges, and optionally the bucket. */
export async function provisionAll(input: ProvisionInput, log: (line: string) => void = () => undefined): Promise<{ changes: string[] }> {
  const postgres = await provisionPostgres(input.postgres, databaseGrants(input.namePrefix, input.secrets, input.mark), log);
  const rabbitmq = await provisionRabbitmq(input.rabbitmq, brokerPlan(input.namePrefix, input.vhost, input.secrets, input.mark), log);
  const changes = [...postgres.changes, ...rabbitmq.changes];
  if (input.objectStore) {
    const { created } = await ensureBucket(input.objectStore, 60_000);
    if (created) {
      changes.push(`created bucket ${input.objectStore.bucket}`);
      log(`created bucket ${input.objectStore.bucket}`);
    }
  }
  return { changes };
}
