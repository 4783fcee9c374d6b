import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAction } from '@trellis/action-manifest/load';
import * as pb from '@trellis/action-wrapper/infrastructure/pb/action/v1/action';
import { startWrapper, type Wrapper } from '@trellis/action-wrapper/wrapper';
import { startTestObjectStore, type TestObjectStore } from '@trellis/platform/testing/object-store';

const examples = resolve(import.meta.dirname, '../../../examples/actions');
let store: TestObjectStore;

beforeAll(async () => {
  store = await startTestObjectStore();
});
afterAll(async () => {
  await store?.close();
});

/** An example started in the real wrapper, called over gRPC as the runner will call it. */
async function withExample<T>(name: string, work: (run: (request: Partial<pb.RunRequest>) => Promise<pb.RunResponse>) => Promise<T>): Promise<T> {
  const loaded = await loadAction(join(examples, name));
  if (!loaded.ok) throw new Error(`${name} does not load`);
  const wrapper: Wrapper = await startWrapper({ folder: join(examples, name), definition: loaded.definition, diagnostics: () => undefined });
  const client = new pb.ActionServiceClient(`127.0.0.1:${wrapper.port}`, credentials.createInsecure());
  try {
    return await work((request) => new Promise((done, fail) =>
      client.run(pb.RunRequest.fromPartial({ executionId: randomUUID(), ...request }), (error, response) => (error ? fail(error) : done(response)))));
  } finally {
    client.close();
    await wrapper.close();
  }
}

describe('examples with files, through the object store and presigned URLs', () => {
  it('word-count downloads its input from a presigned GET URL', async () => {
    const { client, bucket } = store.store;
    await client.putObject(bucket, 'runs/1/document.txt', Buffer.from('alpha beta\ngamma\n'));
    const url = await client.presignedGetObject(bucket, 'runs/1/document.txt', 300);
    const answer = await withExample('word-count', (run) => run({ inputs: { document: { kind: { $case: 'fileValue', fileValue: { url, name: 'document.txt', sizeBytes: '0' } } } } }));
    expect(answer.error).toBeUndefined();
    expect(answer.outputs['words']?.kind).toEqual({ $case: 'integerValue', integerValue: '3' });
    expect(answer.outputs['lines']?.kind).toEqual({ $case: 'integerValue', integerValue: '2' });
  });

  it('make-archive uploads its directory as one tar archive to a presigned PUT URL', async () => {
    const { client, bucket } = store.store;
    const url = await client.presignedPutObject(bucket, 'runs/2/folder.tar', 300);
    const answer = await withExample('make-archive', (run) => run({
      inputs: { lines: { kind: { $case: 'longstringValue', longstringValue: 'one\ntwo' } }, prefix: { kind: { $case: 'stringValue', stringValue: 'l' } } },
      outputUrls: { folder: url },
    }));
    expect(answer.error).toBeUndefined();
    expect(answer.outputs['folder']?.kind?.$case).toBe('directoryValue');
    const archive = await client.getObject(bucket, 'runs/2/folder.tar');
    const chunks: Buffer[] = [];
    for await (const chunk of archive) chunks.push(chunk as Buffer);
    const tar = Buffer.concat(chunks).toString('latin1');
    expect(tar).toContain('l-001.txt');
    expect(tar).toContain('l-002.txt');
    expect(tar).toContain('two\n');
  });
});
