import { createHmac } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanUpRuns, runStandardAction } from './support/run-action.js';

afterAll(cleanUpRuns);

const SECRET = 'whsec_test_secret';
const body = '{"action":"opened","number":1}';

describe('hmac', () => {
  it('signs a message (RFC 4231 test case 2)', async () => {
    const run = await runStandardAction('hmac', { message: 'what do ya want for nothing?', key: 'Jefe' });
    expect(run.outputs.signature).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(run.outputs.valid).toBeUndefined();
  });

  it("verifies GitHub's X-Hub-Signature-256", async () => {
    const header = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    const good = await runStandardAction('hmac', { message: body, key: SECRET, expected: header });
    expect(good.outputs.valid).toBe(true);
    const tampered = await runStandardAction('hmac', { message: `${body} `, key: SECRET, expected: header });
    expect(tampered.outputs.valid).toBe(false);
  });

  it("verifies Trellis's own Trellis-Signature: v1=HMAC-SHA256(\"<timestamp>.<body>\")", async () => {
    const timestamp = '1893456000';
    const header = `v1=${createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex')}`;
    const run = await runStandardAction('hmac', { message: `${timestamp}.${body}`, key: SECRET, expected: header });
    expect(run.outputs.valid).toBe(true);
    const wrongKey = await runStandardAction('hmac', { message: `${timestamp}.${body}`, key: 'whsec_other', expected: header });
    expect(wrongKey.outputs.valid).toBe(false);
  });

  it('refuses a signature that differs only in length or is not hex', async () => {
    const signature = createHmac('sha512', SECRET).update(body).digest('base64');
    expect((await runStandardAction('hmac', { message: body, key: SECRET, algorithm: 'sha512', encoding: 'base64', expected: signature })).outputs.valid).toBe(true);
    expect((await runStandardAction('hmac', { message: body, key: SECRET, algorithm: 'sha512', encoding: 'base64', expected: signature.slice(0, -4) })).outputs.valid).toBe(false);
    const hex = createHmac('sha256', SECRET).update(body).digest('hex');
    expect((await runStandardAction('hmac', { message: body, key: SECRET, expected: `${hex}zz` })).outputs.valid).toBe(false);
    expect((await runStandardAction('hmac', { message: body, key: SECRET, expected: hex.toUpperCase() })).outputs.valid).toBe(true);
  });

  it('never writes the key to the logs', async () => {
    const run = await runStandardAction('hmac', { message: body, key: SECRET });
    expect(`${run.stdout}${run.stderr}${run.diagnostics}`).not.toContain(SECRET);
  });
});
