import type { Clock, Ids } from '@trellis/kernel/ports';
import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as File from '../domain/file.js';
import type { FileContents } from './file-ports.js';
import type { UnitOfWork } from './ports.js';
import { projectNotKnown, type ProjectNotKnown } from './project-value-rejections.js';

type Deps = { uow: UnitOfWork; clock: Clock; ids: Ids; contents: FileContents };

/**
 * A file uploaded to the project: its name checked before a byte is read, its content streamed
 * to the store (no transaction is open meanwhile), then its row written. When anything fails
 * after the content is stored, the content is removed: a failed upload leaves nothing.
 */
export async function uploadFile(
  deps: Deps,
  input: { projectId: string; name: string; contentType: string; content: AsyncIterable<Uint8Array>; by: string },
): Promise<Result<File.UploadedFile, File.InvalidFileName | ProjectNotKnown>> {
  const announced = File.announce({ name: input.name, declaredType: input.contentType });
  if (!announced.ok) return announced;
  if ((await deps.uow((tx) => tx.projects.statusOf(input.projectId))) !== 'known') return rejected(projectNotKnown);
  const id = deps.ids();
  const stored = await deps.contents.store({ projectId: input.projectId, fileId: id, contentType: announced.value.contentType }, input.content);
  const file = File.stored(announced.value, { id, projectId: input.projectId, ...stored, by: input.by, now: deps.clock() });
  let saved: Result<File.UploadedFile, ProjectNotKnown>;
  try {
    saved = await deps.uow(async (tx) => {
      // The project may have been deleted while the content streamed in.
      if ((await tx.projects.statusOf(input.projectId)) !== 'known') return rejected(projectNotKnown);
      await tx.files.insert(file);
      return ok(file);
    });
  } catch (error) {
    await deps.contents.remove(stored.object).catch((removal: unknown) => {
      throw new AggregateError([error, removal], `the row of file ${id} was not written, and its content ${stored.object} could not be removed`);
    });
    throw error;
  }
  if (!saved.ok) await deps.contents.remove(stored.object);
  return saved;
}
