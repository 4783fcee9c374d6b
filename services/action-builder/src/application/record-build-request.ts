import * as Build from '../domain/build.js';
import type { Transaction } from './ports.js';

export type RequestRecording = 'queued' | 'duplicate' | 'project_deleted';

/**
 * ActionBuildRequested, in the consumer's transaction: the build is queued with the id the
 * repository chose, so a request delivered twice builds once, and the builders are woken when
 * it commits. A request for a project deleted here is dropped; one for a project not announced
 * yet is retried (thrown) until its ProjectCreated has arrived.
 */
export async function recordBuildRequest(tx: Transaction, request: Build.BuildRequest): Promise<RequestRecording> {
  const project = await tx.projects.status(request.projectId);
  if (project === 'deleted') return 'project_deleted';
  if (project === 'unknown') throw new Error(`project ${request.projectId} is not known here yet; the request is retried once its announcement arrives`);
  if (!(await tx.builds.insertIfAbsent(Build.request(request)))) return 'duplicate';
  await tx.queue.wake();
  return 'queued';
}
