import { z } from 'zod';
import { objectStoreEnvShape, tenantServiceEnvShape } from '@trellis/platform/config';

export const envSchema = z.object({ ...tenantServiceEnvShape(8105), ...objectStoreEnvShape });

export type Env = z.output<typeof envSchema>;
