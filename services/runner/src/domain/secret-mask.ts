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

/** Values shorter than this are left in text: masking "1" or "ab" everywhere would garble every log and hide nothing. */
export const MIN_MASKED_LENGTH = 4;

function base64Of(value: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(value)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The forms careless code prints a secret in: as it is, base64 (standard and URL-safe, padded or not), URL-encoded. */
export function printedForms(secret: string): string[] {
  const base64 = base64Of(secret);
  const forms = [secret, base64, base64.replace(/=+$/, ''), base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), encodeURIComponent(secret)];
  return [...new Set(forms)].filter((form) => form.length >= MIN_MASKED_LENGTH);
}

/** `text` with every printed form of each secret replaced by the mask (longest first, so no form leaves a piece of a longer one). */
export function maskSecretsIn(text: string, secrets: readonly string[]): string {
  const forms = [...new Set(secrets.filter((secret) => secret.length >= MIN_MASKED_LENGTH).flatMap(printedForms))].sort((x, y) => y.length - x.length);
  return forms.reduce((masked, form) => masked.replaceAll(form, MASK), text);
}
