import { createWriteStream, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebStream } from 'node:stream/web';
import type { TrellisClient } from '@trellis/sdk';
import { note, printJson } from '../../output.js';
import { explainRunNotFound } from './find.js';

/** The file name of `content-disposition: attachment; filename="report.csv"` (never a path). */
function fileNameOf(disposition: string | null): string | undefined {
  const match = /filename\*=UTF-8''([^;]+)|filename="?([^";]+)"?/i.exec(disposition ?? '');
  const name = match?.[1] ? decodeURIComponent(match[1]) : match?.[2];
  return name ? path.basename(name) : undefined;
}

/**
 * `run download ID STEP OUTPUT`: a file (or directory, as a tar) output is streamed by the
 * runner (`?inline=true`, no presigned link to follow) into -o or its own name; a JSON value is
 * printed, or written to -o.
 */
export async function downloadOutput(client: TrellisClient, runId: string, step: string, output: string, options: { output?: string }): Promise<void> {
  const { data: body, response } = await client.GET('/runner/runs/{id}/steps/{step}/outputs/{name}', {
    params: { path: { id: runId, step, name: output }, query: { inline: 'true' } }, parseAs: 'stream',
  }).catch(explainRunNotFound(runId, step));
  const fileName = fileNameOf(response.headers.get('content-disposition'));
  if (!body) throw new Error(`the output ${output} answered without a body`);
  const stream = Readable.fromWeb(body as WebStream<Uint8Array>);
  if (fileName === undefined) {
    const text = Buffer.concat(await stream.toArray() as Buffer[]).toString('utf8');
    if (options.output && options.output !== '-') {
      writeFileSync(options.output, `${text}\n`);
      note(`Wrote ${options.output} (the value of ${step}.${output})`);
    } else printJson(JSON.parse(text) as unknown);
    return;
  }
  if (options.output === '-') {
    await pipeline(stream, process.stdout);
    return;
  }
  const target = options.output ?? fileName;
  await pipeline(stream, createWriteStream(target));
  note(`Wrote ${target} (${response.headers.get('content-length') ?? '?'} bytes, ${step}.${output})`);
}
