import { describe, expect, it } from 'vitest';
import { publicKeyOf } from '@trellis/platform/crypto/sealed-box';
import { parseEnvFile } from '../secrets.js';
import { keys } from './keys.js';
import { makeConsoleOutput } from './output.js';

function run(args: readonly string[]): { code: number; text: string } {
  let text = '';
  const code = keys(makeConsoleOutput((chunk) => { text += chunk; }), args);
  return { code, text };
}

describe('trellis-adm keys', () => {
  it('prints a new runner sealing key and the public key that goes with it, as env-file lines', () => {
    const { code, text } = run(['runner']);
    expect(code).toBe(0);
    const values = parseEnvFile(text);
    expect([...values.keys()]).toEqual(['TRELLIS_RUNNER_SEALING_KEY', 'TRELLIS_RUNNER_PUBLIC_KEY']);
    const privateKey = values.get('TRELLIS_RUNNER_SEALING_KEY') ?? '';
    expect(Buffer.from(privateKey, 'base64')).toHaveLength(32);
    expect(values.get('TRELLIS_RUNNER_PUBLIC_KEY')).toBe(publicKeyOf(privateKey));
    expect(parseEnvFile(run(['runner']).text).get('TRELLIS_RUNNER_SEALING_KEY')).not.toBe(privateKey);
  });

  it('answers its usage to anything else', () => {
    for (const args of [[], ['studio'], ['runner', 'extra']]) {
      expect(run(args)).toEqual({ code: 2, text: 'usage: trellis-adm keys runner\n' });
    }
  });
});
