import { objectStoreEndpoint } from '../local/service-env.js';
import type { LocalSettings } from '../local/settings.js';
import type { Secrets } from '../secrets.js';
import { fail, warn, type Check } from './check.js';
import { firstLine } from './connection-problems.js';
import { measureBucket, measureDisk } from './probes/object-store.js';
import { judgeBucket, judgeDisk } from './storage.js';

/** `platformUp`: the supervisor runs, and with it the local object store (stopped, it cannot answer: that is no failure of its own). */
export async function checkStorage(settings: LocalSettings, secrets: Secrets, platformUp: boolean): Promise<Check[]> {
  const endpoint = objectStoreEndpoint(settings);
  const config = { endpoint, accessKey: secrets.s3AccessKey, secretKey: secrets.s3SecretKey, bucket: settings.bucket, region: settings.region };
  const [bucket, disk] = await Promise.all([
    measureBucket(config).then(judgeBucket, (error: unknown) => {
      const code = (error as { code?: string }).code;
      if (code === 'ECONNREFUSED' || code === 'ETIMEDOUT') {
        if (!platformUp) return warn('object-store', settings.bucket, `not measured: no answer at ${endpoint}, the platform is stopped`, '`make up` starts it');
        return fail('object-store', settings.bucket, `no answer at ${endpoint}`, 'the object store runs in the platform\'s supervisor: `trellis-adm status`, `trellis-adm logs object-store`');
      }
      return fail('object-store', settings.bucket, firstLine(error), code === 'NoSuchBucket' ? '`trellis-adm provision` or `make up` makes it' : 'TRELLIS_S3_* in .trellis/secrets.env must be the store\'s keys');
    }),
    measureDisk(settings.paths.dir).then(judgeDisk, (error: unknown) => fail('disk', settings.paths.dir, firstLine(error))),
  ]);
  return [bucket, disk];
}
