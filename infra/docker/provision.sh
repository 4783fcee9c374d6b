#!/bin/sh
# Provisions a Trellis instance, then runs every service's migrations. Idempotent: safe to run
# on every start and every update. Used by the `provision` service of infra/compose.yaml and by
# the `trellis-provision` Job of infra/k8s.
#
# Reads (see infra/README.md, "Environment contract"):
#   TRELLIS_PG_ADMIN_URL, TRELLIS_RABBITMQ_MANAGEMENT_URL,
#   TRELLIS_RABBITMQ_ADMIN_USER, TRELLIS_RABBITMQ_ADMIN_PASSWORD, TRELLIS_S3_*   read by `trellis-adm provision`
#   TRELLIS_<DB>_DB_PASSWORD, TRELLIS_<DB>_AMQP_PASSWORD           read by `trellis-adm provision`
#   TRELLIS_<DB>_DATABASE_URL, TRELLIS_<DB>_AMQP_URL                what each service's migrate.js connects
#                                                                  with (it migrates the database and
#                                                                  declares the service's broker topology)
# where <DB> is the service name in upper case with '-' -> '_' (ACTION_BUILDER for action-builder).
set -eu

cd "$(dirname "$0")/../.."

echo "provision: databases, roles, vhost, users, exchanges, bucket"
node adm/dist/cli.js provision

for service in authorization studio repository action-builder runner; do
  db=$(printf '%s' "$service" | tr 'a-z-' 'A-Z_')
  eval "database_url=\${TRELLIS_${db}_DATABASE_URL:-}"
  eval "amqp_url=\${TRELLIS_${db}_AMQP_URL:-}"
  if [ -z "$database_url" ] || [ -z "$amqp_url" ]; then
    echo "provision: TRELLIS_${db}_DATABASE_URL and TRELLIS_${db}_AMQP_URL must both be set" >&2
    exit 2
  fi
  echo "provision: migrating $service"
  TRELLIS_DATABASE_URL="$database_url" TRELLIS_AMQP_URL="$amqp_url" node "services/$service/dist/migrate.js"
done

echo "provision: done"
