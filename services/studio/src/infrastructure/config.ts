import { z } from 'zod';
import { authEnvShape, retryDelays, serviceEnvShape } from '@trellis/platform/config';

export const envSchema = z.object({
  ...serviceEnvShape,
  ...authEnvShape,
  TRELLIS_HTTP_PORT: serviceEnvShape.TRELLIS_HTTP_PORT.default(8102),
  TRELLIS_MESSAGE_RETRY_DELAYS_MS: retryDelays,
});

export type Env = z.output<typeof envSchema>;
