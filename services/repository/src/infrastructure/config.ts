import { z } from 'zod';
import { objectStoreEnvShape, retryDelays, serviceEnvShape } from '@trellis/platform/config';

export const envSchema = z.object({
  ...serviceEnvShape,
  ...objectStoreEnvShape,
  TRELLIS_HTTP_PORT: serviceEnvShape.TRELLIS_HTTP_PORT.default(8103),
  TRELLIS_MESSAGE_RETRY_DELAYS_MS: retryDelays,
});

export type Env = z.output<typeof envSchema>;
