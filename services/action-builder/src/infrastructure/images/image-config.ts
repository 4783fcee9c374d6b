import { createHash } from 'node:crypto';

/** What the image config takes from the base image: its layers and platform, never its name or dates. */
export type BaseImage = {
  /** The reference it was found by (for messages only: it does not go into the config). */
  readonly reference: string;
  readonly diffIds: readonly string[];
  readonly architecture: string;
  readonly os: string;
};

export type ImageConfigInput = {
  readonly base: BaseImage;
  readonly layerDiffId: string;
  readonly action: { readonly id: string; readonly version: string; readonly runtime: string };
  /** The sealed artifact's digest (hex). */
  readonly artifactDigest: string;
};

/** The image config JSON exactly as written (its SHA-256 is the image id) and that digest, sha256:<hex>. */
export type ImageConfig = { readonly json: string; readonly digest: string };

export const ACTION_PORT = 8080;
export const ACTION_USER = '10001:10001';

/**
 * The OCI/Docker image config of an action image: the wrapper as entrypoint on port 8080, as
 * uid/gid 10001, in /action. Nothing in it varies between two builds of the same artifact on
 * the same base (a fixed `created`, history without times, keys always in the same order), so
 * the image id, the SHA-256 of these bytes, is the same too.
 */
export function imageConfig(input: ImageConfigInput): ImageConfig {
  const config = {
    architecture: input.base.architecture,
    os: input.base.os,
    created: '1970-01-01T00:00:00Z',
    config: {
      User: ACTION_USER,
      WorkingDir: '/action',
      Entrypoint: ['node', '/action/wrapper/cli.js', 'action', '--host', '0.0.0.0', '--port', String(ACTION_PORT)],
      ExposedPorts: { [`${ACTION_PORT}/tcp`]: {} },
      Env: [
        'PATH=/usr/local/bin:/usr/bin:/bin',
        // A read-only root file system: Python writes no byte code, and $HOME is the writable /tmp.
        'PYTHONDONTWRITEBYTECODE=1',
        'PYTHONUNBUFFERED=1',
        'HOME=/tmp',
        'LANG=C.UTF-8',
      ],
      Labels: {
        'dev.trellis.action.digest': input.artifactDigest,
        'dev.trellis.action.id': input.action.id,
        'dev.trellis.action.runtime': input.action.runtime,
        'dev.trellis.action.version': input.action.version,
      },
    },
    rootfs: { type: 'layers', diff_ids: [...input.base.diffIds, input.layerDiffId] },
    history: [
      ...input.base.diffIds.map(() => ({ created_by: 'trellis action base', comment: 'infra/images/build-base.sh' })),
      { created_by: `trellis action artifact ${input.artifactDigest}`, comment: 'the sealed artifact unpacked under /action' },
    ],
  };
  const json = JSON.stringify(config);
  return { json, digest: `sha256:${createHash('sha256').update(json).digest('hex')}` };
}

/** A Docker tag from a version: semantic versions may hold "+", which a tag may not. */
export const tagSafe = (text: string): string => text.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 100);

/** The first 12 hex digits of a sha256:<hex> digest. */
export const short = (digest: string): string => digest.replace(/^sha256:/, '').slice(0, 12);
