import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Workflow from '../domain/workflow/workflow.js';
import type { FileContents } from './file-ports.js';
import { fileNotFound, type FileInUse, type FileNotFound } from './file-rejections.js';
import type { UnitOfWork } from './ports.js';

/**
 * Deletes an uploaded file; refused, naming the workflows, while a version the runner serves (or
 * is asked to serve) gives it as a static value. The row is locked before the check, so a deploy
 * naming it at the same time either commits first (and is seen) or waits and then misses it.
 * The content goes once the row is gone (a failure there leaves an object nothing names, removed
 * with the project).
 */
export async function deleteFile(
  deps: { uow: UnitOfWork; contents: FileContents },
  input: { projectId: string; fileId: string },
): Promise<Result<void, FileNotFound | FileInUse>> {
  const deleted = await deps.uow(async (tx) => {
    const file = await tx.files.findForUpdate(input.projectId, input.fileId);
    if (!file) return rejected(fileNotFound);
    const users = Workflow.liveUsers(await tx.workflowVersions.usersOf(input.projectId, { kind: 'file', name: file.id }));
    if (users.length > 0) return rejected({ type: 'FileInUse', id: file.id, name: file.name, workflows: users } as const);
    if (!(await tx.files.delete(input.projectId, file.id))) return rejected(fileNotFound);
    return ok(file);
  });
  if (!deleted.ok) return deleted;
  await deps.contents.remove(deleted.value.object);
  return ok(undefined);
}
