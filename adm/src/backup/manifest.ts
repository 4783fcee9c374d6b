/**
 * What a backup archive says about itself (`manifest.json`, its first entry), and the judgements
 * a restore makes of it before it touches anything.
 */

export const FORMAT_VERSION = 1;
export const MANIFEST_NAME = 'manifest.json';

export type Part = { readonly path: string; readonly size: number; readonly sha256: string };

export type Manifest = {
  readonly format: number;
  readonly instance: { readonly name: string; readonly id: string };
  readonly trellisVersion: string;
  /** Each service's schema version: the name of the last migration applied to its database. */
  readonly schemas: Readonly<Record<string, string | null>>;
  readonly createdAt: string;
  /**
   * Which keys open what the databases hold sealed: check values, never the keys. The archive
   * holds them only when made with --include-keys (`keysIncluded`, part `keys/secrets.env`).
   */
  readonly keys: { readonly secretKeyCheck: string | null; readonly runnerPublicKey: string | null; readonly included: boolean };
  readonly parts: readonly Part[];
};

export const databasePart = (service: string) => `databases/${service}.dump`;
export const objectPart = (key: string) => `objects/${key}`;
export const KEYS_PART = 'keys/secrets.env';

/** Why the text is not a manifest this tool reads, or the manifest. */
export function parseManifest(text: string): { manifest: Manifest } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: 'manifest.json is not JSON' };
  }
  const m = value as Partial<Manifest> | null;
  if (!m || typeof m !== 'object') return { problem: 'manifest.json is not an object' };
  if (m.format !== FORMAT_VERSION) return { problem: `manifest.json has format ${String(m.format)}; this trellis-adm reads format ${FORMAT_VERSION}` };
  if (typeof m.trellisVersion !== 'string' || !m.schemas || typeof m.schemas !== 'object' || !Array.isArray(m.parts) || !m.instance || !m.keys) {
    return { problem: 'manifest.json lacks trellisVersion, schemas, parts, instance or keys' };
  }
  for (const part of m.parts) {
    if (typeof part?.path !== 'string' || !Number.isSafeInteger(part.size) || part.size < 0 || !/^[0-9a-f]{64}$/.test(String(part.sha256))) {
      return { problem: `manifest.json lists a part without path, size or sha256: ${JSON.stringify(part)}` };
    }
  }
  return { manifest: m as Manifest };
}

/** -1, 0, 1 for semantic versions (numbers only; a missing part counts as 0). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/**
 * Whether this Trellis can take the backup: not from a newer Trellis, and no service's schema
 * newer than this one's (migration names sort in the order they apply). An older schema is fine:
 * the restore migrates it forward.
 */
export function compatibilityProblems(manifest: Manifest, trellisVersion: string, schemas: Readonly<Record<string, string | null>>): string[] {
  const problems: string[] = [];
  if (compareVersions(manifest.trellisVersion, trellisVersion) > 0) problems.push(`the backup is from Trellis ${manifest.trellisVersion}, newer than this one (${trellisVersion}): update Trellis first`);
  for (const [service, backedUp] of Object.entries(manifest.schemas)) {
    if (!(service in schemas)) {
      problems.push(`the backup has a service this Trellis does not know: ${service}`);
      continue;
    }
    const here = schemas[service] ?? null;
    if (backedUp !== null && (here === null || backedUp > here)) {
      problems.push(`${service}'s schema in the backup (${backedUp}) is newer than this Trellis's (${here ?? 'none'}): update Trellis first`);
    }
  }
  return problems;
}

/**
 * Compares what an archive held (in order) with what its manifest lists: the first problem, naming
 * its part, or undefined when every part is there once with its size and sha256.
 */
export function partProblems(manifest: Manifest, found: ReadonlyMap<string, { size: number; sha256: string }>, order: readonly string[]): string | undefined {
  if (order[0] !== MANIFEST_NAME) return `${MANIFEST_NAME} is not the archive's first entry`;
  for (const part of manifest.parts) {
    const got = found.get(part.path);
    if (!got) return `${part.path}: listed in the manifest, missing from the archive (truncated?)`;
    if (got.size !== part.size) return `${part.path}: ${got.size} bytes, the manifest says ${part.size}`;
    if (got.sha256 !== part.sha256) return `${part.path}: its sha256 is not the manifest's: the part is damaged`;
  }
  const listed = new Set(manifest.parts.map((p) => p.path));
  const extra = order.find((path) => path !== MANIFEST_NAME && !listed.has(path));
  if (extra !== undefined) return `${extra}: in the archive but not in its manifest`;
  return undefined;
}
