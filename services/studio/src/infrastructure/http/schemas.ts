import { z } from 'zod';
import { ioSchema, ioView } from '@trellis/platform/http/io-view';
import type { LibraryAction } from '../../domain/library-action.js';

export const actionParams = z.object({
  actionId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'not an action id'),
});

export const versionParams = actionParams.extend({
  version: z.string().regex(/^[0-9A-Za-z][0-9A-Za-z.+-]{0,63}$/, 'not a version'),
});

export const libraryQuery = {
  search: z.string().max(200).optional().describe('Text found in the id, name, description or a category (any case)'),
  category: z.string().max(100).optional().describe('Only actions in this category'),
};

export const libraryItem = z.object({
  id: z.string(),
  version: z.string(),
  kind: z.enum(['Trigger', 'Processor', 'Publisher']),
  name: z.string(),
  description: z.string(),
  runtime: z.string(),
  format: z.string().describe('trellis or ryax'),
  digest: z.string().describe('SHA-256 of the artifact'),
  inputs: z.array(ioSchema),
  outputs: z.array(ioSchema),
  categories: z.array(z.string()),
  resources: z.object({ cpu: z.number().optional(), memory_bytes: z.number().optional(), timeout_ms: z.number().optional() }),
  images: z.object({ docker: z.string().optional(), kubernetes: z.string().optional() })
    .describe('The images the builder made of the artifact, per site; none for a site: a workflow using this version cannot be deployed there (image_missing)'),
  logo_url: z.string().nullable().describe('Where to fetch the logo; null when the action has none'),
  source: z.object({ source_id: z.string(), commit: z.string(), folder: z.string(), build_id: z.string() }),
  built_at: z.iso.datetime({ offset: true }),
});

export const actionWithVersions = libraryItem.extend({
  versions: z.array(libraryItem).describe('Every version, newest build first; the top-level fields are the newest one\'s'),
});

export type LibraryItem = z.output<typeof libraryItem>;

export function itemView(action: LibraryAction, basePath: string): LibraryItem {
  const { cpu, memoryBytes, timeoutMs } = action.resources;
  return {
    id: action.actionId, version: action.version, kind: action.kind, name: action.name, description: action.description,
    runtime: action.runtime, format: action.format, digest: action.digest,
    inputs: action.inputs.map(ioView), outputs: action.outputs.map(ioView), categories: [...action.categories],
    resources: { ...(cpu !== undefined ? { cpu } : {}), ...(memoryBytes !== undefined ? { memory_bytes: memoryBytes } : {}), ...(timeoutMs !== undefined ? { timeout_ms: timeoutMs } : {}) },
    images: { ...action.images },
    logo_url: action.logo ? `${basePath}/actions/${encodeURIComponent(action.actionId)}/versions/${encodeURIComponent(action.version)}/logo` : null,
    source: { source_id: action.origin.sourceId, commit: action.origin.commit, folder: action.origin.folder, build_id: action.origin.buildId },
    built_at: action.builtAt.toISOString(),
  };
}
