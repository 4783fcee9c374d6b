import { generateSealingKeyPair } from '@trellis/platform/crypto/sealed-box';
import { RUNNER_SEALING_KEY_VAR } from '../secrets.js';
import type { Output } from './output.js';

const USAGE = 'usage: trellis-adm keys runner';

/**
 * Prints a new key pair for an instance that is not made by `up` (compose, Kubernetes): the
 * runner's X25519 private sealing key and the public key studio seals project secrets to, as
 * `NAME=value` lines for infra/.env or the Secret. Nothing is written down.
 */
export function keys(out: Output, args: readonly string[], generate = generateSealingKeyPair): number {
  if (args.length !== 1 || args[0] !== 'runner') {
    out.line(USAGE);
    return 2;
  }
  const pair = generate();
  out.line(`${RUNNER_SEALING_KEY_VAR}=${pair.privateKey}`);
  out.line(`TRELLIS_RUNNER_PUBLIC_KEY=${pair.publicKey}`);
  return 0;
}
