/**
 * The runner's environment, on top of what every tenant service reads (docs/configuration.md):
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | TRELLIS_SEALING_KEY | required | the runner's X25519 private key, 32 raw bytes in base64: it opens the project secrets studio seals to its public key (HPKE), which studio is given as TRELLIS_RUNNER_PUBLIC_KEY. Make the pair with `trellis-adm keys runner` (`make up` makes its own). With another key, the secrets sealed before no longer open (reading one says which keys differ) until they are set again in studio |
 */
import { z } from 'zod';
import { objectStoreEnvShape, sealingPrivateKey, tenantServiceEnvShape } from '@trellis/platform/config';

export const envSchema = z.object({ ...tenantServiceEnvShape(8105), ...objectStoreEnvShape, TRELLIS_SEALING_KEY: sealingPrivateKey });

export type Env = z.output<typeof envSchema>;
