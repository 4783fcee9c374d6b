/**
 * The runner's environment, on top of what every tenant service reads (docs/configuration.md):
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | TRELLIS_RUNNER_WORK_DIR | `<tmp>/trellis-runner` | where the local site keeps artifacts, by digest, unpacked (several runner processes may share it) |
 * | TRELLIS_RUNNER_ACTION_CONCURRENCY | 16 | calls in flight per action version on the local site; callers beyond it wait in order |
 * | TRELLIS_RUNNER_IDLE_MS | 300000 | an action version without calls for this long has its process stopped (scale to zero); the next call starts it again (a cold start) |
 * | TRELLIS_USER_API_RATE | 2000 | requests a second each workflow's HTTP trigger takes (per runner process); beyond, 429 with Retry-After. A guard against a runaway caller, set above what one runner serves |
 * | TRELLIS_USER_API_BURST | 4000 | how many requests a workflow's HTTP trigger takes at once before the rate applies |
 * | TRELLIS_RUNNER_LEASE_MS | 10000 | a runner process heartbeats every lease/6 (at most every 1.5 s); a process whose heartbeat is older than this has its unfinished runs taken over by another (or by itself after a restart) |
 * | TRELLIS_RUNNER_RETENTION_DAYS | 30 | finished runs older than this many days (a fraction is allowed) are deleted with their steps, logs and stored objects, by an hourly pass in batches; 0 keeps them for ever. A project's owner may set its own (`PUT /runner/settings`) |
 * | TRELLIS_RUNNER_INLINE_VALUE_BYTES | 65536 | a value (trigger input, step input or output, result) whose JSON is larger is kept in the object store under the run, not in its database row |
 * | TRELLIS_USER_API_MAX_UPLOAD_BYTES | 1073741824 | the largest multipart/form-data request (file inputs) an HTTP trigger takes; beyond, 413. The gateway's `client_max_body_size` (1 GiB) is the ceiling |
 * | TRELLIS_ACTIONS_ALLOW_PRIVATE_NETWORK | false | actions that connect to a host a user gives (the standard library's http-request, poll-http, s3-*, ...) may reach loopback, private, link-local and metadata addresses; given to every action process as TRELLIS_ALLOW_PRIVATE_NETWORK (refused otherwise: no SSRF into the cluster); an admin's choice when actions call services inside their network |
 * | TRELLIS_WEBHOOK_ALLOW_PRIVATE | false | completion webhooks may call loopback, private, link-local and reserved addresses and the platform's own hosts (refused otherwise: no SSRF into the cluster); an admin's choice for receivers inside their network |
 * | TRELLIS_WEBHOOK_TIMEOUT_MS | 10000 | how long one delivery attempt waits for its receiver's answer |
 * | TRELLIS_WEBHOOK_RETRY_BASE_MS | 10000 | the delay before a delivery's first retry; each next one doubles (jitter over its upper half) up to TRELLIS_WEBHOOK_RETRY_MAX_MS |
 * | TRELLIS_WEBHOOK_RETRY_MAX_MS | 3600000 | the longest delay between two attempts |
 * | TRELLIS_WEBHOOK_MAX_ATTEMPTS | 20 | attempts of a delivery (or of a redelivery) before it is failed |
 * | TRELLIS_WEBHOOK_MAX_AGE_MS | 86400000 | a delivery whose next attempt would come later than this after it began is failed |
 * | TRELLIS_RUNNER_SCHEDULE_MISFIRE_MS | 60000 | a schedule's tick found due later than this (the runner was down, or far behind) was missed: its workflow's `missed` policy says whether it fires (`catch_up`) or not (`skip`); a later one fires, late |
 * | TRELLIS_RUNNER_SCHEDULES | on | `off`: this process fires no schedule (a replica kept for HTTP triggers and runs); at least one runner process must have it `on` |
 * | TRELLIS_INSTANCE | trellis | the instance's id: the docker and kubernetes sites label what they create with it (containers, networks, namespaces), so two instances on one engine or cluster never touch each other's |
 * | TRELLIS_SITES | local | the sites this runner runs actions on, comma-separated: `local`, `docker`, `kubernetes`. A workflow deployed to a site not listed fails its deploy with the reason |
 * | TRELLIS_DOCKER_SOCKET | /var/run/docker.sock | the Docker engine of the docker site |
 * | TRELLIS_DOCKER_NETWORK | trellis-actions-<instance> | the bridge network action containers join (made when missing; no traffic between containers) |
 * | TRELLIS_DOCKER_CONTAINER_CONCURRENCY | 16 | calls in flight per container of a Node action on the docker site (a Python container takes one at a time); beyond, another container starts |
 * | TRELLIS_DOCKER_MAX_CONTAINERS | 4 | containers per action version at most on the docker site; calls beyond wait in order |
 * | TRELLIS_DOCKER_MEMORY | 512Mi | a container's memory when the action's manifest (or the step) gives none |
 * | TRELLIS_K8S_* | see docs/kubernetes-site.md | the kubernetes site's settings |
 * | TRELLIS_SEALING_KEY | required | the runner's X25519 private key, 32 raw bytes in base64: it opens the project secrets studio seals to its public key (HPKE), which studio is given as TRELLIS_RUNNER_PUBLIC_KEY. Make the pair with `trellis-adm keys runner` (`make up` makes its own). With another key, the secrets sealed before no longer open (reading one says which keys differ) until they are set again in studio |
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { millis, objectStoreEnvShape, sealingPrivateKey, tenantServiceEnvShape } from '@trellis/platform/config';
import { parseMemory } from '@trellis/kernel/quantities';
import { SITE_NAMES, type SiteName } from '../application/site.js';
import { kubernetesSiteEnvShape } from './kubernetes-site/settings.js';

const siteList = z.string().transform((text, context) => {
  const names = [...new Set(text.split(',').map((name) => name.trim()).filter((name) => name !== ''))];
  const unknown = names.filter((name) => !(SITE_NAMES as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    context.addIssue({ code: 'custom', message: `expected a comma-separated list of ${SITE_NAMES.join(', ')}; got "${text}"` });
    return z.NEVER;
  }
  return names as SiteName[];
});
const memory = z.string().transform((text, context) => {
  const parsed = parseMemory(text);
  if (parsed.ok) return parsed.value;
  context.addIssue({ code: 'custom', message: parsed.message });
  return z.NEVER;
});

export const envSchema = z.object({
  ...kubernetesSiteEnvShape,
  ...tenantServiceEnvShape(8105), ...objectStoreEnvShape, TRELLIS_SEALING_KEY: sealingPrivateKey,
  TRELLIS_SITES: siteList.default(['local']),
  TRELLIS_DOCKER_SOCKET: z.string().min(1).default('/var/run/docker.sock'),
  TRELLIS_DOCKER_NETWORK: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/).optional(),
  TRELLIS_DOCKER_CONTAINER_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(16),
  TRELLIS_DOCKER_MAX_CONTAINERS: z.coerce.number().int().min(1).max(1000).default(4),
  TRELLIS_DOCKER_MEMORY: memory.default(512 * 1024 * 1024),
  TRELLIS_RUNNER_WORK_DIR: z.string().min(1).default(path.join(tmpdir(), 'trellis-runner')),
  TRELLIS_RUNNER_ACTION_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(16),
  TRELLIS_RUNNER_IDLE_MS: millis.min(100).default(300_000),
  TRELLIS_RUNNER_LEASE_MS: millis.min(500).default(10_000),
  TRELLIS_RUNNER_RETENTION_DAYS: z.coerce.number().min(0).max(36_500).default(30),
  TRELLIS_USER_API_RATE: z.coerce.number().positive().max(1_000_000).default(2000),
  TRELLIS_USER_API_BURST: z.coerce.number().int().min(1).max(1_000_000).default(4000),
  TRELLIS_RUNNER_INLINE_VALUE_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(65_536),
  TRELLIS_USER_API_MAX_UPLOAD_BYTES: z.coerce.number().int().min(1).max(5 * 1024 ** 4).default(1024 ** 3),
  TRELLIS_RUNNER_SCHEDULE_MISFIRE_MS: millis.min(0).default(60_000),
  TRELLIS_RUNNER_SCHEDULES: z.enum(['on', 'off']).default('on'),
  TRELLIS_ACTIONS_ALLOW_PRIVATE_NETWORK: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  TRELLIS_WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  TRELLIS_WEBHOOK_TIMEOUT_MS: millis.min(100).max(120_000).default(10_000),
  TRELLIS_WEBHOOK_RETRY_BASE_MS: millis.min(1).default(10_000),
  TRELLIS_WEBHOOK_RETRY_MAX_MS: millis.min(1).default(3_600_000),
  TRELLIS_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(20),
  TRELLIS_WEBHOOK_MAX_AGE_MS: millis.min(1).default(86_400_000),
});

export type Env = z.output<typeof envSchema>;
