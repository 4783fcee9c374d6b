import { z } from 'zod';
import type { IoSpec } from '@trellis/kernel/io';

/** An action's input or output as every API shows it (snake_case, the same in each service). */
export const ioSchema = z.object({
  name: z.string(),
  type: z.string(),
  help: z.string(),
  optional: z.boolean(),
  values: z.array(z.string()).optional(),
  default: z.unknown().optional().describe('The default value (never a password\'s: see has_secret_default)'),
  injected: z.string().optional().describe('Set by the platform at run time (http_port, http_prefix): nobody fills it'),
  has_secret_default: z.boolean().describe('A password with a default: the value stays in the action, never shown'),
});

export function ioView(spec: IoSpec): z.output<typeof ioSchema> {
  return {
    name: spec.name, type: spec.type, help: spec.help, optional: spec.optional,
    ...(spec.values ? { values: [...spec.values] } : {}),
    ...(spec.default !== undefined ? { default: spec.default } : {}),
    ...(spec.injected ? { injected: spec.injected } : {}),
    has_secret_default: spec.hasSecretDefault === true,
  };
}
