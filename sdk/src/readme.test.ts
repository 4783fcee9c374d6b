import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');

describe('sdk/README.md', () => {
  it('shows examples/start-run.ts as it is (the file is type-checked against the generated client)', () => {
    expect(read('README.md')).toContain(`\`\`\`ts\n${read('examples/start-run.ts')}\`\`\``);
  });
});
