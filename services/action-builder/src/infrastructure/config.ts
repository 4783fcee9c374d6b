import { z } from 'zod';
import { objectStoreEnvShape, tenantServiceEnvShape } from '@trellis/platform/config';

export const envSchema = z.object({ ...tenantServiceEnvShape(8104), ...objectStoreEnvShape });

export type Env = z.output<typeof envSchema>;
