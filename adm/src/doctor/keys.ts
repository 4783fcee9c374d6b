import { secretKeyCheck } from '../instance/instance.js';
import { fail, ok, warn, type Check } from './check.js';

/** The keys of an instance as found (environment first, then .trellis/secrets.env), never generated. */
export type FoundKeys = {
  readonly secretKey: string | undefined;
  readonly secretKeyFromEnv: boolean;
  readonly repositorySecretKey: string | undefined;
  readonly studioSecretKey: string | undefined;
  readonly runnerSealingKey: string | undefined;
  /** The runner's public key from its sealing key; undefined when the key is missing or broken. */
  readonly runnerPublicKey: string | undefined;
  /** Whether others than the owner may read secrets.env. */
  readonly secretsFileOpen: boolean;
};

const is32Bytes = (key: string) => Buffer.from(key, 'base64').length === 32;

/**
 * TRELLIS_SECRET_KEY must be the one the instance was provisioned with (authorization's signing
 * keys are sealed with it); the repository's and studio's keys and the runner's sealing key
 * (32 bytes each) must be there, or what they sealed cannot be opened.
 */
export function judgeKeys(found: FoundKeys, recordedCheck: string | null, secretsFile: string): Check[] {
  const checks: Check[] = [];
  const restore = `put the original back in ${secretsFile} (from your backup); a new key cannot open what the old one sealed`;
  if (!found.secretKey) checks.push(fail('keys', 'TRELLIS_SECRET_KEY', 'missing', restore));
  else if (!is32Bytes(found.secretKey)) checks.push(fail('keys', 'TRELLIS_SECRET_KEY', 'not 32 bytes of base64', restore));
  else if (recordedCheck === null) checks.push(warn('keys', 'TRELLIS_SECRET_KEY', 'present; the instance has not recorded its check value yet', '`make up` records it'));
  else if (secretKeyCheck(found.secretKey) !== recordedCheck) {
    const where = found.secretKeyFromEnv ? 'the one set in your environment' : `the one in ${secretsFile}`;
    checks.push(fail('keys', 'TRELLIS_SECRET_KEY', `${where} is not the key the instance was provisioned with: authorization cannot open its signing keys`, found.secretKeyFromEnv ? 'unset TRELLIS_SECRET_KEY' : restore));
  } else checks.push(ok('keys', 'TRELLIS_SECRET_KEY', `present, the instance's (check ${recordedCheck})`));
  for (const [name, key] of [['TRELLIS_REPOSITORY_SECRET_KEY', found.repositorySecretKey], ['TRELLIS_STUDIO_SECRET_KEY', found.studioSecretKey]] as const) {
    if (!key) checks.push(fail('keys', name, 'missing', restore));
    else if (!is32Bytes(key)) checks.push(fail('keys', name, 'not 32 bytes of base64', restore));
    else checks.push(ok('keys', name, 'present'));
  }
  if (!found.runnerSealingKey) checks.push(fail('keys', 'TRELLIS_RUNNER_SEALING_KEY', 'missing', restore));
  else if (!found.runnerPublicKey) checks.push(fail('keys', 'TRELLIS_RUNNER_SEALING_KEY', 'not an X25519 private key', restore));
  else checks.push(ok('keys', 'TRELLIS_RUNNER_SEALING_KEY', `present (public key ${found.runnerPublicKey.slice(0, 12)}…)`));
  if (found.secretsFileOpen) checks.push(warn('keys', secretsFile, 'readable by others than its owner', `chmod 600 ${secretsFile}`));
  return checks;
}
