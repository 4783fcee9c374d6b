import { SERVICES } from '../catalog.js';
import { runningSupervisor } from '../local/supervisor-control.js';
import type { LocalSettings } from '../local/settings.js';
import { assemble } from './assemble.js';
import { fail, ok, type Check } from './check.js';
import { checkQueues } from './check-queues.js';
import { checkService } from './check-services.js';
import { checkStorage } from './check-storage.js';
import { readInstanceState } from './instance-state.js';
import { judgeKeys } from './keys.js';
import { judgePlatform } from './platform.js';
import { serviceTimesFromEnv } from './service-times.js';
import { durationText } from './units.js';

/** Every check of a local instance, in reading order. Never throws for a failure it can describe. */
export async function runDoctor(settings: LocalSettings, env: NodeJS.ProcessEnv, now = new Date()): Promise<Check[]> {
  const state = readInstanceState(settings, env);
  if (state.kind === 'none') return [fail('instance', settings.instanceName, state.reason, '`make up` sets one up here; TRELLIS_STATE_DIR=<dir> points to another')];
  const { instance } = state;
  const instanceCheck = ok('instance', instance.name, `id ${instance.id}, ${instance.stateDir}, provisioned ${durationText(now.getTime() - Date.parse(instance.provisionedAt ?? ''))} ago`);
  const keys = judgeKeys(state.keys, instance.secretKeyCheck, settings.paths.secretsFile);
  const { secrets } = state;
  if (!secrets) {
    return [instanceCheck, ...keys, fail('instance', settings.paths.secretsFile, `lacks ${state.missing.join(', ')}: nothing else can be checked`, 'put them back from your backup; `make up` would make new ones, which the databases and broker do not know')];
  }
  const times = serviceTimesFromEnv(env);
  const supervisor = runningSupervisor(settings.paths.stateFile);
  const [services, queues, storage] = await Promise.all([
    Promise.all(SERVICES.map((service) => checkService(settings, secrets, service, times, now))),
    checkQueues(settings, secrets, env, now),
    checkStorage(settings, secrets, supervisor !== undefined),
  ]);
  return assemble({ instance: instanceCheck, platform: judgePlatform(supervisor, now), keys, services, queues, storage });
}
