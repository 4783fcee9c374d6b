// Echoes every scalar input to the output of the same name; a file comes back upper-cased, a
// directory comes back with a listing.txt of its entries added.
import { cp, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function handle(inputs, context) {
  const outputs = { ...inputs };
  if (inputs.file !== undefined) {
    const upper = path.join(context.workdir, `upper-${path.basename(inputs.file)}`);
    await writeFile(upper, (await readFile(inputs.file, 'utf8')).toUpperCase());
    outputs.file = upper;
  }
  if (inputs.dir !== undefined) {
    const copy = path.join(context.workdir, 'dir-out');
    await cp(inputs.dir, copy, { recursive: true });
    const names = (await readdir(inputs.dir, { recursive: true })).sort();
    await writeFile(path.join(copy, 'listing.txt'), names.join('\n'));
    outputs.dir = copy;
  }
  return outputs;
}
