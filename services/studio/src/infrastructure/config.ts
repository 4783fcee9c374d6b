import { z } from 'zod';
import { tenantServiceEnvShape } from '@trellis/platform/config';

export const envSchema = z.object(tenantServiceEnvShape(8102));

export type Env = z.output<typeof envSchema>;
