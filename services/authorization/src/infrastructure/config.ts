import { z } from 'zod';
import { serviceEnvShape } from '@trellis/platform/config';

export const envSchema = z.object({
  ...serviceEnvShape,
  TRELLIS_HTTP_PORT: serviceEnvShape.TRELLIS_HTTP_PORT.default(8101),
  /** Read only while the instance has no admin yet; ignored afterwards. */
  TRELLIS_ADMIN_PASSWORD: z.string().optional(),
});

export type Env = z.output<typeof envSchema>;
