import type { JsonValue } from '@trellis/kernel/io';

/** What a value of a `password` input shows as in any view. */
export const MASK = '***';

/**
 * `values` as a view may show them: every value whose declared type is `password` (a secret, or a
 * password a caller sent) replaced by the mask, whether or not it was stored resolved.
 */
export function maskPasswords(
  values: Readonly<Record<string, JsonValue>>,
  declared: readonly { readonly name: string; readonly type: string }[],
): Record<string, JsonValue> {
  const passwords = new Set(declared.filter((spec) => spec.type === 'password').map((spec) => spec.name));
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, passwords.has(name) && value !== null ? MASK : value]));
}
