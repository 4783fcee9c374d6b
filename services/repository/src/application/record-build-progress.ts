import { ok, rejected, type Result } from '@trellis/kernel/result';
import * as Build from '../domain/build.js';
import type { UnitOfWork } from './ports.js';

export type BuildReport = { readonly buildId: string; readonly projectId: string; readonly progress: Build.Progress };

export type ReportIgnored = { readonly type: 'UnknownBuild'; readonly buildId: string };

/**
 * Follows what the builder says of a build this service asked for. A report of a build it does
 * not know (its source was deleted, or it belongs to another project) is ignored; a stale one
 * changes nothing (see Build.advance).
 */
export async function recordBuildProgress(deps: { uow: UnitOfWork }, report: BuildReport): Promise<Result<{ build: Build.Build; changed: boolean }, ReportIgnored>> {
  return deps.uow(async (tx) => {
    const build = await tx.builds.findForUpdate(report.buildId);
    if (!build || build.projectId !== report.projectId) return rejected({ type: 'UnknownBuild', buildId: report.buildId } as const);
    const next = Build.advance(build, report.progress);
    if (next.changed) await tx.builds.update(next.build);
    return ok(next);
  });
}
