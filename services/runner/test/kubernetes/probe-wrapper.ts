// A real wrapper for the kubernetes site's tests: the site-probe action built into an artifact
// by the builder's own toolchain (scripts/build-artifact.mjs), unpacked, and served by its
// wrapper process on 127.0.0.1 - what an action pod runs. The fake API server's pods are
// pointed at it (settings.addressOf), so a Run through the site really reaches a wrapper.
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { IoSpec } from '@trellis/kernel/io';
import type { ActionVersionRef } from '../../src/application/site.js';
import { startWrapperProcess, type WrapperProcess } from '../../src/infrastructure/local-site/wrapper-process.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

type Built = { file: string; digest: string; size: number; definition: { id: string; version: string; kind: ActionVersionRef['kind']; runtime: string; inputs: IoSpec[]; outputs: IoSpec[] } };

export type ProbeArtifact = { readonly folder: string; readonly ref: Omit<ActionVersionRef, 'projectId'> };

/** Builds services/runner/test/actions/site-probe and unpacks it under `dir`. */
export async function buildProbe(dir: string): Promise<ProbeArtifact> {
  const file = path.join(dir, 'site-probe.tar.gz');
  const { stdout } = await run(process.execPath, [path.join(root, 'scripts/build-artifact.mjs'), path.join(root, 'services/runner/test/actions/site-probe'), file], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  const built = JSON.parse(stdout.trim()) as Built;
  const folder = path.join(dir, 'site-probe');
  await mkdir(folder, { recursive: true });
  await run('tar', ['-xzf', file, '-C', folder]);
  const { definition, digest, size } = built;
  return {
    folder,
    ref: {
      actionId: definition.id, version: definition.version, digest, artifactObject: `artifacts/${digest}.tar.gz`, artifactSize: size,
      kind: definition.kind, runtime: definition.runtime, inputs: definition.inputs, outputs: definition.outputs,
      site: 'kubernetes', image: `registry:5000/trellis/site-probe@sha256:${digest}`,
    },
  };
}

export function startProbeWrapper(folder: string): Promise<WrapperProcess> {
  return startWrapperProcess({ folder, logLimitBytes: 16 * 1024, startTimeoutMs: 20_000 });
}
