import { loadAction } from '@trellis/action-manifest/load';
import { formatProblem } from '@trellis/action-manifest/problem';

export type Output = { out: (line: string) => void; err: (line: string) => void };

/** `trellis-action validate <folder>`: every problem as `file:line:column: message`, exit 1 if any. */
export async function validate(folder: string, output: Output): Promise<number> {
  const result = await loadAction(folder);
  if (!result.ok) {
    for (const problem of result.problems) output.err(formatProblem(problem));
    output.err(`${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} in ${folder}`);
    return 1;
  }
  const { definition } = result;
  const format = definition.source.format === 'ryax' ? ' (Ryax)' : '';
  const injected = definition.inputs.filter((io) => io.injected !== undefined).length;
  const inputs = `${definition.inputs.length} inputs${injected > 0 ? `, ${injected} set by the platform` : ''}`;
  output.out(`${definition.id} ${definition.version}: a valid ${definition.runtime} ${definition.kind.toLowerCase()}${format} (${inputs}, ${definition.outputs.length} outputs)`);
  return 0;
}
