/*
 * The forms a secret value may leak in: as it is, URL-encoded, and base64 (standard and URL-safe)
 * at each of the three byte alignments it may sit at inside a longer encoded text (the edges,
 * which depend on the neighbouring bytes, are left out).
 */

function base64Cores(secret: Buffer, encoding: 'base64' | 'base64url'): string[] {
  return [0, 1, 2].map((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset, 0x20), secret]).toString(encoding).replace(/=+$/, '');
    const skip = Math.ceil((offset * 4) / 3) + 1;
    return encoded.slice(skip, encoded.length - 4);
  });
}

export type Needle = { secret: string; form: string; text: string };

export function needlesOf(secrets: Record<string, string>): Needle[] {
  return Object.entries(secrets).flatMap(([name, value]) => {
    const bytes = Buffer.from(value);
    return [
      { secret: name, form: 'plain', text: value },
      { secret: name, form: 'URL-encoded', text: encodeURIComponent(value) },
      { secret: name, form: 'form-encoded', text: new URLSearchParams({ x: value }).toString().slice(2) },
      { secret: name, form: 'JSON-escaped', text: JSON.stringify(value).slice(1, -1) },
      ...base64Cores(bytes, 'base64').map((text) => ({ secret: name, form: 'base64', text })),
      ...base64Cores(bytes, 'base64url').map((text) => ({ secret: name, form: 'base64url', text })),
    ];
  });
}

export type Haystack = { source: string; name: string; content: string | Buffer };

export type ScanFigures = { source: string; items: number; bytes: number; found: string[] };

/** Each source's items and bytes, and every needle found in them (where and in which form). */
export function scanFor(needles: readonly Needle[], haystacks: readonly Haystack[]): ScanFigures[] {
  const bySource = new Map<string, ScanFigures>();
  for (const { source, name, content } of haystacks) {
    const figures = bySource.get(source) ?? { source, items: 0, bytes: 0, found: [] };
    bySource.set(source, figures);
    figures.items += 1;
    const buffer = typeof content === 'string' ? Buffer.from(content) : content;
    figures.bytes += buffer.length;
    for (const needle of needles) {
      if (buffer.includes(needle.text)) figures.found.push(`${needle.secret} (${needle.form}) in ${name}`);
    }
  }
  return [...bySource.values()];
}
