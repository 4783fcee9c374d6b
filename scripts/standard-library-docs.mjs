#!/usr/bin/env node
// Writes docs/standard-library.md from the standard library itself (actions/<id>/): each action's
// manifest gives its kind, categories, description, inputs and outputs (the truth the builder and
// the editor read), its README.md the rest (when to use it, errors, guards, an example step).
//   node scripts/standard-library-docs.mjs           write the page
//   node scripts/standard-library-docs.mjs --check   exit 1 when the page is not what it would write
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const root = join(import.meta.dirname, '..');
const actionsDir = join(root, 'actions');
const page = join(root, 'docs', 'standard-library.md');

const INTRO = `# The standard library

Every project has these actions and triggers from the first minute: Trellis installs them in each
project's library (the source \`standard\`, category \`standard\`), built by the normal builder from
the release's \`actions/\` folder, and updates them with Trellis (see
[build-path.md](build-path.md#how-the-standard-library-is-installed-and-updated)). They are ordinary
Trellis actions, written to be read: \`actions/<id>/\` holds each one's manifest, handler and README,
and \`actions/test/\` their tests against the real servers.

- **Network guard.** An action that connects to a host a user gives (\`http-request\`, \`poll-http\`,
  \`s3-*\`, \`watch-s3\`, \`sql-query\`, \`send-email\`, the broker triggers) refuses loopback,
  private, link-local (the cloud metadata service included), CGNAT, unspecified and multicast
  addresses with \`address_not_allowed\`, unless the instance allows them
  (\`TRELLIS_ACTIONS_ALLOW_PRIVATE_NETWORK=true\` on the runner, [configuration.md](configuration.md)).
- **Secrets.** Every credential is a \`password\` input: give it as \`\${{ secrets.NAME }}\`; it is
  never logged nor shown.
- **Triggers are at least once.** A trigger acknowledges a message to its broker (or moves its
  cursor) only once the runner has accepted the run; a trigger the runner restarts resumes where it
  was. A run may therefore see a message again after a crash: use its id to deduplicate.

- **Delay.** The standard library's delay is not an action: it is the engine's own wait,
  \`wait: { for: 15m }\` ([workflows.md](workflows.md#wait-steps-approvals-and-signals)), so a
  long delay holds no process and survives restarts. **Fail** and **log** are actions (below).

This page is written by \`node scripts/standard-library-docs.mjs\` from the actions themselves (a
test fails when it is out of date): change an action's manifest or README, then run it.

**Changing an action.** A project builds each action version once, so a change to any file of an
action's folder (handler, README, logo, package lock, a shared file's copy) reaches the projects
that built it only under a new version: raise \`version\` in its \`trellis.yaml\`, then run
\`node scripts/standard-library-versions.mjs\`, which records each action's version and a sha256 of
its files in \`actions/versions.lock.json\`. A test (\`--check\`) fails when an action's files
changed but its version did not, or the record is behind; the script refuses to record such a change.
`;

/** The action folders, each with its manifest read. */
function actions() {
  return readdirSync(actionsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(actionsDir, entry.name, 'trellis.yaml')))
    .map((entry) => {
      const folder = join(actionsDir, entry.name);
      const manifest = parse(readFileSync(join(folder, 'trellis.yaml'), 'utf8'));
      const readmePath = join(folder, 'README.md');
      return { id: entry.name, manifest, readme: existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : '' };
    })
    .sort((a, b) => (a.manifest.kind === b.manifest.kind ? a.id.localeCompare(b.id) : a.manifest.kind === 'Trigger' ? 1 : -1));
}

const cell = (text) => String(text ?? '').replace(/\|/g, '\\|').replace(/\n+/g, ' ').trim();

function ioTable(items, withDefault) {
  if (!items || items.length === 0) return '_none_\n';
  const head = withDefault ? '| name | type | default | help |\n|---|---|---|---|' : '| name | type | help |\n|---|---|---|';
  const rows = items.map((io) => {
    const type = io.type === 'enum' ? `enum: ${(io.values ?? []).join(', ')}` : io.type;
    const optional = io.optional ? ' (optional)' : '';
    const fallback = io.default === undefined ? '' : `\`${JSON.stringify(io.default)}\``;
    return withDefault
      ? `| \`${io.name}\` | ${cell(type)}${optional} | ${fallback} | ${cell(io.help)} |`
      : `| \`${io.name}\` | ${cell(type)}${optional} | ${cell(io.help)} |`;
  });
  return `${head}\n${rows.join('\n')}\n`;
}

/**
 * The README without its title and without its own Inputs and Outputs sections (the manifest's
 * tables stand for them), its headings moved under the action's.
 */
function details(readme) {
  const lines = readme.replace(/\r\n/g, '\n').split('\n');
  const out = [];
  let skipping = 0;
  for (const line of lines) {
    const heading = /^(#+)\s+(.*)$/.exec(line);
    if (heading) {
      const level = heading[1].length;
      if (level === 1) continue;
      if (skipping && level <= skipping) skipping = 0;
      if (!skipping && /^(inputs|outputs|inputs and outputs)\b/i.test(heading[2].trim())) {
        skipping = level;
        continue;
      }
      if (!skipping) out.push(`${'#'.repeat(Math.min(6, level + 2))} ${heading[2]}`);
      continue;
    }
    if (!skipping) out.push(line);
  }
  return out.join('\n').trim();
}

function render() {
  const all = actions();
  const index = all.map(({ id, manifest }) => `| [\`${id}\`](#${id}) | ${manifest.kind} | ${cell((manifest.categories ?? []).filter((c) => c !== 'standard').join(', '))} | ${cell(manifest.description)} |`);
  const sections = all.map(({ id, manifest, readme }) => [
    `## ${id}`,
    '',
    `**${cell(manifest.name)}**, ${manifest.kind}, version ${manifest.version}, categories ${(manifest.categories ?? []).map((c) => `\`${c}\``).join(', ')}.`,
    '',
    String(manifest.description ?? '').trim(),
    '',
    '### Inputs',
    '',
    ioTable(manifest.inputs, true),
    `### ${manifest.kind === 'Trigger' ? 'Outputs (each run\'s trigger values)' : 'Outputs'}`,
    '',
    ioTable(manifest.outputs, false),
    details(readme),
    '',
  ].join('\n'));
  return `${INTRO}\n| action | kind | topic | what it does |\n|---|---|---|---|\n${index.join('\n')}\n\n${sections.join('\n')}`.replace(/\n{3,}/g, '\n\n');
}

const text = render();
if (process.argv.includes('--check')) {
  const current = existsSync(page) ? readFileSync(page, 'utf8') : '';
  if (current !== text) {
    console.error('docs/standard-library.md is not what the actions say: run node scripts/standard-library-docs.mjs');
    process.exit(1);
  }
} else {
  writeFileSync(page, text);
  console.log(`docs/standard-library.md: ${text.length} characters`);
}
