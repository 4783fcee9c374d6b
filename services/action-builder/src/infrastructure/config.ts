import { z } from 'zod';
import { objectStoreEnvShape, serviceEnvShape } from '@trellis/platform/config';

export const envSchema = z.object({
  ...serviceEnvShape,
  ...objectStoreEnvShape,
  TRELLIS_HTTP_PORT: serviceEnvShape.TRELLIS_HTTP_PORT.default(8104),
});

export type Env = z.output<typeof envSchema>;
