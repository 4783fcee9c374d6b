// @ts-check
// hmac: signs a message with a secret key, or checks a signature (a webhook's) in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ActionError } from './errors.js';

const ALGORITHMS = ['sha256', 'sha512', 'sha1'];
const ENCODINGS = ['hex', 'base64'];

/**
 * @param {{ message?: string, key?: string, algorithm?: string, encoding?: string, expected?: string | null }} inputs
 */
export function handle(inputs) {
  const algorithm = inputs.algorithm ?? 'sha256';
  const encoding = /** @type {'hex' | 'base64'} */ (inputs.encoding ?? 'hex');
  if (!ALGORITHMS.includes(algorithm)) throw new ActionError(`algorithm must be one of ${ALGORITHMS.join(', ')}`, 'bad_input');
  if (!ENCODINGS.includes(encoding)) throw new ActionError('encoding must be hex or base64', 'bad_input');
  if (typeof inputs.message !== 'string') throw new ActionError('message is missing', 'bad_input');
  if (typeof inputs.key !== 'string' || inputs.key === '') throw new ActionError('key is empty: give the shared secret, e.g. ${{ secrets.WEBHOOK_SECRET }}', 'bad_input');

  const signature = createHmac(algorithm, inputs.key).update(inputs.message, 'utf8').digest(encoding);
  if (typeof inputs.expected !== 'string') return { signature };
  return { signature, valid: matches(signature, inputs.expected, encoding) };
}

/**
 * Compares in constant time, so the answer's timing tells an attacker nothing about how many
 * characters they guessed. A prefix such as GitHub's "sha256=" or Trellis's "v1=" is ignored, and
 * hex is compared without regard to case.
 * @param {string} signature
 * @param {string} expected
 * @param {'hex' | 'base64'} encoding
 */
function matches(signature, expected, encoding) {
  const given = expected.trim().replace(/^(sha1|sha256|sha512|v1)=/i, '');
  const a = Buffer.from(signature, encoding);
  const b = Buffer.from(encoding === 'hex' ? given.toLowerCase() : given, encoding);
  // Buffer.from drops what does not decode, so compare the re-encoded text as well.
  if (b.toString(encoding) !== (encoding === 'hex' ? given.toLowerCase() : given)) return false;
  return a.length === b.length && timingSafeEqual(a, b);
}
