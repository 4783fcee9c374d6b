import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { InfraFiles } from './render.js';

/** Reads infra/k8s: its kustomization and every file it lists or generates from. */
export async function readInfraFiles(k8sDir: string): Promise<InfraFiles> {
  const kustomization = await readFile(join(k8sDir, 'kustomization.yaml'), 'utf8');
  const k = parse(kustomization) as { resources?: string[]; configMapGenerator?: { files: string[] }[] };
  const names = [...(k.resources ?? []), ...(k.configMapGenerator ?? []).flatMap((g) => g.files.map((f) => f.split('=').pop() ?? f))];
  const files: Record<string, string> = {};
  for (const name of names) files[name] = await readFile(join(k8sDir, name), 'utf8');
  return { kustomization, files };
}
