import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The counter lives in a file, so it survives the wrapper being restarted between attempts.
const counters = join(tmpdir(), 'trellis-example-flaky');

export async function handle(inputs) {
  await mkdir(counters, { recursive: true });
  const file = join(counters, encodeURIComponent(inputs.key));
  const attempts = Number(await readFile(file, 'utf8').catch(() => '0')) + 1;
  await writeFile(file, String(attempts));
  if (attempts <= inputs.failures) throw new Error(`failing on purpose (attempt ${attempts} of ${inputs.failures + 1})`);
  return { attempts };
}
