import { z } from 'zod';
import { authEnvShape, objectStoreEnvShape, retryDelays, serviceEnvShape } from '@trellis/platform/config';

export const envSchema = z.object({
  ...serviceEnvShape,
  ...objectStoreEnvShape,
  ...authEnvShape,
  TRELLIS_HTTP_PORT: serviceEnvShape.TRELLIS_HTTP_PORT.default(8103),
  TRELLIS_MESSAGE_RETRY_DELAYS_MS: retryDelays,
});

export type Env = z.output<typeof envSchema>;
