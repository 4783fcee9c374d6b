import { makeSealer, secretAad } from '@trellis/platform/crypto/sealed-box';
import type { RunnerSealer } from '../application/ports.js';

/**
 * Seals secrets to the runner's public key (TRELLIS_RUNNER_PUBLIC_KEY) with HPKE; the
 * authenticated data binds each value to its project and name, so a sealed value replayed
 * under another name or project does not open. Throws at once on a malformed key.
 */
export function makeRunnerSealer(publicKeyBase64: string): RunnerSealer {
  const sealer = makeSealer(publicKeyBase64);
  return {
    seal: async (plaintext, { projectId, name }) => ({ sealedValue: await sealer.seal(plaintext, secretAad(projectId, name)), keyId: sealer.keyId }),
  };
}
