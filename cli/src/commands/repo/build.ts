import { TrellisApiError, unwrap, type TrellisClient } from '@trellis/sdk';
import { CliError } from '../../exit-codes.js';
import { colorStatus, colors, formatDuration, note, printJson, printLine, printTable } from '../../output.js';
import type { BuilderBuild, BuildRequest } from './api-types.js';
import { makeProgress } from '../../progress.js';
import { findSource } from './sources.js';
import { deadlineOf, POLL_MS, sleep } from '../../wait.js';

export type BuildOptions = { wait?: boolean; timeout: string; json?: boolean };

type Requested = BuildRequest['builds'][number];

const ENDED = ['succeeded', 'failed', 'canceled'];
const labelOf = (build: Requested) => `${build.action_id}@${build.version}`;

/** The builder's view of the builds asked for; one it has not heard of yet is absent. */
async function builderBuilds(client: TrellisClient, sourceId: string, ids: ReadonlySet<string>): Promise<Map<string, BuilderBuild>> {
  // Newest first: the builds just asked for are on the first page.
  const page = await unwrap(client.GET('/builder/builds', { params: { query: { source: sourceId, limit: 200 } } }));
  return new Map(page.items.filter((build) => ids.has(build.id)).map((build) => [build.id, build]));
}

async function followBuilds(client: TrellisClient, sourceId: string, requested: readonly Requested[], timeout: string): Promise<BuilderBuild[]> {
  const deadline = deadlineOf(timeout);
  const ids = new Set(requested.map((build) => build.id));
  const progress = makeProgress(requested.map(labelOf));
  try {
    for (;;) {
      const known = await builderBuilds(client, sourceId, ids);
      for (const build of requested) {
        const state = known.get(build.id)?.state ?? build.status;
        progress.update(labelOf(build), state, ENDED.includes(state));
      }
      const ended = requested.map((build) => known.get(build.id)).filter((build): build is BuilderBuild => build !== undefined && ENDED.includes(build.state));
      if (ended.length === requested.length) return ended;
      deadline.check(`${requested.length - ended.length} of the ${requested.length} builds`);
      await sleep(POLL_MS);
    }
  } finally {
    progress.stop();
  }
}

async function buildLog(client: TrellisClient, buildId: string): Promise<string> {
  try {
    const { data } = await client.GET('/builder/builds/{id}/logs', { params: { path: { id: buildId } }, parseAs: 'text' });
    return data ?? '';
  } catch (error) {
    if (error instanceof TrellisApiError) return `(no log: ${error.detail ?? error.code})\n`;
    throw error;
  }
}

function printBuilds(builds: readonly BuilderBuild[]): void {
  printTable(['action', 'version', 'state', 'took', 'digest'], builds.map((build) => [
    build.action.id, build.action.version, colorStatus(build.state),
    build.started_at && build.finished_at ? formatDuration(Date.parse(build.finished_at) - Date.parse(build.started_at)) : '-',
    build.artifact?.digest.slice(0, 12),
  ]));
}

/** A failed build's reason and log: on stdout for a person, on stderr when stdout is JSON. */
async function showFailure(client: TrellisClient, build: BuilderBuild, json: boolean): Promise<void> {
  const write = json ? note : printLine;
  write('');
  write(colors.red(colors.bold(`Build of ${build.action.id}@${build.action.version} ${build.state}: ${build.failure_reason ?? 'no reason given'}`)));
  write(colors.dim(`--- build log (${build.id}) ---`));
  write((await buildLog(client, build.id)).replace(/\n$/, ''));
  write(colors.dim('--- end of build log ---'));
}

/** Asks for a build of every action of the last scan; with --wait follows each and shows a failed one's log. */
export async function buildSource(client: TrellisClient, name: string, options: BuildOptions): Promise<void> {
  const source = await findSource(client, name);
  const request = await unwrap(client.POST('/repository/sources/{id}/build', { params: { path: { id: source.id } }, body: {} }));
  if (!options.wait) {
    if (options.json) return printJson(request);
    printTable(['action', 'version', 'build', 'status'], request.builds.map((build) => [build.action_id, build.version, build.id, colorStatus(build.status)]));
    return note(`Follow them with \`trellis repo show ${source.name}\` (or build with --wait)`);
  }
  const builds = await followBuilds(client, source.id, request.builds, options.timeout);
  if (options.json) printJson(builds);
  else printBuilds(builds);
  const failed = builds.filter((build) => build.state !== 'succeeded');
  for (const build of failed) await showFailure(client, build, options.json === true);
  if (failed.length > 0) {
    throw new CliError('build_failed', `${failed.length} of ${builds.length} builds did not succeed: ${failed.map((build) => `${build.action.id}@${build.action.version} ${build.state}`).join(', ')}`, {
      hint: `fix the action (its log is above), then \`trellis repo scan ${source.name} --wait\` and \`trellis repo build ${source.name} --wait\``,
    });
  }
}
