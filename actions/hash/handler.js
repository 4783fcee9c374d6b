// @ts-check
// hash: the digest of a text or of a file (streamed, so a large file is never read whole).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { ActionError } from './errors.js';

const ALGORITHMS = ['sha256', 'sha384', 'sha512', 'sha1', 'md5'];
const ENCODINGS = ['hex', 'base64'];

/**
 * @param {{ data?: string | null, file?: string | null, algorithm?: string, encoding?: string }} inputs
 */
export async function handle(inputs) {
  const algorithm = inputs.algorithm ?? 'sha256';
  const encoding = /** @type {'hex' | 'base64'} */ (inputs.encoding ?? 'hex');
  if (!ALGORITHMS.includes(algorithm)) throw new ActionError(`algorithm must be one of ${ALGORITHMS.join(', ')}`, 'bad_input');
  if (!ENCODINGS.includes(encoding)) throw new ActionError('encoding must be hex or base64', 'bad_input');
  const hasData = typeof inputs.data === 'string';
  const hasFile = typeof inputs.file === 'string';
  if (hasData === hasFile) throw new ActionError('give exactly one of data (a text) or file', 'bad_input');

  const hash = createHash(algorithm);
  if (hasFile) await pipeline(createReadStream(/** @type {string} */ (inputs.file)), hash);
  else hash.update(/** @type {string} */ (inputs.data), 'utf8');
  return { digest: hash.digest(encoding) };
}
