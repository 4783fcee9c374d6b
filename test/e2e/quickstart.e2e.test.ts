// docs/quickstart.md, followed word for word: every `sh` block of the page runs in order in
// bash, in a folder laid out like a checkout (bin/, examples/, .trellis/admin-password), against
// the real services behind the gateway, and what each `output` block shows must appear in what
// its command printed. Two things differ from a person's machine, and only these: `make up` is
// skipped (the instance is already up) and http://localhost:8080 is the test gateway's URL.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBehindGateway, type BehindGateway } from './behind-gateway.js';
import { ROOT } from './harness.js';
import { ADMIN_PASSWORD } from './platform.js';

export type Block = { code: string; expected: string[]; line: number };

/** The page's `sh` blocks, each with the `output` block that follows it (if any). */
export function blocksOf(markdown: string): Block[] {
  const blocks: Block[] = [];
  for (const fence of markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) {
    const [, language, body = ''] = fence;
    const line = markdown.slice(0, fence.index).split('\n').length;
    if (language === 'sh') blocks.push({ code: body, expected: [], line });
    else if (language === 'output' && blocks.length > 0) (blocks.at(-1) as Block).expected = body.split('\n').filter((text) => text.trim() !== '');
  }
  return blocks;
}

/** Each shown line, `…` standing for anything, matches a printed line, in the order shown. */
export function missingLines(expected: readonly string[], printed: string): string[] {
  const lines = printed.split('\n');
  let from = 0;
  const missing: string[] = [];
  for (const shown of expected) {
    const pattern = new RegExp(`^${shown.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    const found = lines.findIndex((line, index) => index >= from && pattern.test(line.trimEnd()));
    if (found === -1) missing.push(shown);
    else from = found + 1;
  }
  return missing;
}

let behind: BehindGateway;
let scratch: string;
let checkout: string;
let state: string;

beforeAll(async () => {
  behind = await startBehindGateway();
  scratch = await mkdtemp(path.join(tmpdir(), 'trellis-quickstart-'));
  checkout = path.join(scratch, 'checkout');
  state = path.join(scratch, 'state');
  await mkdir(path.join(checkout, '.trellis'), { recursive: true });
  await mkdir(path.join(scratch, 'home'));
  await mkdir(state);
  await symlink(path.join(ROOT, 'bin'), path.join(checkout, 'bin'));
  await symlink(path.join(ROOT, 'examples'), path.join(checkout, 'examples'));
  await writeFile(path.join(checkout, '.trellis', 'admin-password'), `${ADMIN_PASSWORD}\n`, { mode: 0o600 });
  // The shell a person opens: their PATH and HOME, nothing of Trellis's own.
  const start = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: path.join(scratch, 'home'), LANG: 'C.UTF-8' };
  await writeFile(path.join(state, 'env'), Object.entries(start).map(([name, value]) => `export ${name}=${JSON.stringify(value)}`).join('\n'));
  await writeFile(path.join(state, 'cwd'), checkout);
}, 120_000);

afterAll(async () => {
  await behind?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** One block in bash, starting where the previous one ended (its directory and exported variables). */
function runBlock(code: string): Promise<{ code: number | null; output: string }> {
  const script = [
    'set -euo pipefail', `source ${JSON.stringify(path.join(state, 'env'))}`, `cd "$(cat ${JSON.stringify(path.join(state, 'cwd'))})"`,
    code, `export -p > ${JSON.stringify(path.join(state, 'env'))}`, `pwd > ${JSON.stringify(path.join(state, 'cwd'))}`,
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { env: {}, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`the block did not end in 4 minutes:\n${code}\n${output}`)); }, 240_000);
    child.on('close', (status) => { clearTimeout(timer); resolve({ code: status, output }); });
  });
}

describe('docs/quickstart.md', () => {
  it('runs block by block against a real instance and prints what the page shows', { timeout: 600_000 }, async () => {
    const page = await readFile(path.join(ROOT, 'docs', 'quickstart.md'), 'utf8');
    const blocks = blocksOf(page);
    expect(blocks.length).toBeGreaterThan(5);
    const started = Date.now();
    for (const block of blocks) {
      const code = block.code.split('\n').filter((line) => line.trim() !== 'make up').join('\n').replaceAll('http://localhost:8080', behind.gateway.base);
      const result = await runBlock(code);
      // TRELLIS_QUICKSTART_PRINT=1 shows what each block printed (to write the page's output blocks).
      if (process.env['TRELLIS_QUICKSTART_PRINT']) console.log(`--- docs/quickstart.md:${block.line}\n${code}\n>>>\n${result.output}`);
      expect(result.code, `the block at docs/quickstart.md:${block.line} failed:\n${block.code}\n--- printed:\n${result.output}`).toBe(0);
      const expected = block.expected.map((line) => line.replaceAll('http://localhost:8080', behind.gateway.base));
      expect(missingLines(expected, result.output), `docs/quickstart.md:${block.line} shows lines its block did not print:\n--- printed:\n${result.output}`).toEqual([]);
    }
    console.log(`docs/quickstart.md: ${blocks.length} blocks in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});

describe('the quick start\'s checks', () => {
  it('find shown lines in order, with … for anything, and miss what is not printed', () => {
    expect(missingLines(['…shout…succeeded…', 'echoing 5 characters'], 'ID WORKFLOW\n1 shout  succeeded 12 ms\necho\nechoing 5 characters\n')).toEqual([]);
    expect(missingLines(['echoing 5 characters', '…shout…'], 'shout\nechoing 5 characters\n')).toEqual(['…shout…']);
    expect(missingLines(['{"text":"HELLO"}'], '{"text":"HELLO!"}')).toEqual(['{"text":"HELLO"}']);
  });

  it('take each sh block with the output block after it', () => {
    const blocks = blocksOf('a\n```sh\necho hi\n```\n\n```output\nhi\n```\n```sh\ntrue\n```\n```yaml\nx: 1\n```\n');
    expect(blocks).toEqual([{ code: 'echo hi\n', expected: ['hi'], line: 2 }, { code: 'true\n', expected: [], line: 9 }]);
  });
});
