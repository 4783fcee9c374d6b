import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// Directory outputs are local paths; the wrapper packs and uploads them.
export async function handle(inputs, context) {
  const folder = join(context.workdir, 'archive');
  await mkdir(folder, { recursive: true });
  const lines = inputs.lines.split('\n').filter((line) => line.trim() !== '');
  for (const [index, line] of lines.entries()) {
    await writeFile(join(folder, `${inputs.prefix}-${String(index + 1).padStart(3, '0')}.txt`), `${line}\n`);
  }
  console.log(`wrote ${lines.length} files`);
  return { folder };
}
