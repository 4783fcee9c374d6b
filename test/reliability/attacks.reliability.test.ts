// Attacks (issue 18): every route of docs/openapi.json x every attacker credential, the user-api
// across projects, completion webhooks aimed inside, YAML bombs, tar bombs and paths out of an
// action folder. Each must be refused (a 4xx problem+json, a failed scan), with project A's state
// unchanged and the services healthy.
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestRepository } from '../../services/repository/test/git-fixtures.js';
import type { Answer } from '../e2e/behind-gateway.js';
import { SERVICES, eventually } from '../e2e/harness.js';
import { COUNT_WORKFLOW, DEEP_YAML, echoWorkflow, yamlBomb } from './attacks/fixtures.js';
import { changed, fingerprint, type Fingerprint } from './attacks/fingerprint.js';
import { algNone, hmacWithPublicKey, signedByAnotherKey, tamperedPayload } from './attacks/forged-tokens.js';
import { OUTSIDE_MARKERS, dotDotEntry, linksAndBombs, zeroBomb } from './attacks/hostile-repositories.js';
import { bodyOf, foreignIsRefused, isWrite, lowerCallers, operations, urlOf, type Attacker, type Operation } from './attacks/routes.js';
import { VARIABLE_VALUE, deploy, makeWorld, type World } from './attacks/world.js';
import { writeResults } from './support/results.js';
import { SCALE } from './support/scale.js';

const SECRET = 'attack-secret-value-8c2e';
let world: World;

/** Figures per attack: attempts, refused as they should be, anything else, writes checked and the ones that changed state. */
type Tally = { attempts: number; refused: number; wrong: string[]; writesChecked: number; changed: string[]; slowestMs: number };
const tallies = new Map<string, Tally>();
const tally = (name: string): Tally => {
  const found = tallies.get(name) ?? { attempts: 0, refused: 0, wrong: [], writesChecked: 0, changed: [], slowestMs: 0 };
  tallies.set(name, found);
  return found;
};

const REFUSED = [401, 403, 404];
const isProblem = (answer: Answer) => answer.type.includes('application/problem+json') && typeof answer.body?.code === 'string';
/** Values of A that no refused answer may hold (its ids may be echoed: the attacker sent them). */
const leaksIn = (text: string) => [VARIABLE_VALUE, SECRET, 'the victim file'].filter((value) => text.includes(value));
/** What another project's own lists may not hold: A's values and the ids of A's resources. */
const foreignLeaksIn = (text: string) => [...leaksIn(text), world.a.id, world.ids.workflow, world.ids.run, world.ids.file, world.ids.source, world.ids.build].filter((value) => text.includes(value));

beforeAll(async () => {
  world = await makeWorld({ secretValue: SECRET });
}, 900_000);

afterAll(async () => {
  const rows = [...tallies].map(([name, t]) => [name, t.attempts, t.refused, t.wrong.length, t.writesChecked, t.changed.length, t.slowestMs] as const);
  if (rows.length) {
    await writeResults('attacks', 'Attacks: unauthorized reads and writes, hostile inputs', {
      headers: ['attack', 'attempts', 'refused', 'not refused', 'writes checked', 'state changed', 'slowest (ms)'], rows,
    }, Object.fromEntries([...tallies].map(([name, t]) => [name, { ...t, wrong: t.wrong.slice(0, 50), changed: t.changed.slice(0, 50) }])));
  }
  await world?.stop();
}, 120_000);

/** One attempt: refused as a problem+json with nothing of A in it, or recorded as wrong. */
async function attempt(name: string, operation: Operation, attacker: Attacker, expected = REFUSED): Promise<void> {
  const t = tally(name);
  t.attempts += 1;
  const started = Date.now();
  const answer = await world.api(operation.method, urlOf(operation, world), { token: attacker.token, ...bodyOf(operation) });
  t.slowestMs = Math.max(t.slowestMs, Date.now() - started);
  const leaked = leaksIn(answer.text);
  if (expected.includes(answer.status) && isProblem(answer) && leaked.length === 0) t.refused += 1;
  else t.wrong.push(`${operation.operationId} with ${attacker.name}: ${answer.status} ${answer.type} ${leaked.length ? `leaks ${leaked.join(', ')}` : answer.text.slice(0, 160)}`);
}

async function checkState(name: string, before: Fingerprint, what: string): Promise<Fingerprint> {
  const after = await fingerprint(world);
  const t = tally(name);
  t.writesChecked += 1;
  const diff = changed(before, after);
  if (diff.length) t.changed.push(`${what}: ${diff.join(', ')}`);
  return after;
}

describe('every route x every attacker credential', () => {
  it('takes a stable fingerprint of project A (else the state checks mean nothing)', async () => {
    const first = await fingerprint(world);
    for (const role of ['viewer', 'operator'] as const) await world.api('GET', '/studio/project', { token: world.roleKeys[role] });
    expect(changed(first, await fingerprint(world))).toEqual([]);
  });

  it('refuses every credential that is not good enough on every route, and nothing of A changes', async () => {
    const viewer = world.roleTokens.viewer;
    const jwks = (await world.api('GET', '/authorization/.well-known/jwks.json')).body;
    const anyone: Attacker[] = [
      { name: 'no credential', token: '', kind: 'no credential' },
      { name: 'expired token', token: world.expiredToken, kind: 'forged' },
      { name: 'tampered payload', token: tamperedPayload(viewer), kind: 'forged' },
      { name: 'alg none', token: algNone(viewer), kind: 'forged' },
      { name: 'signed by another key', token: await signedByAnotherKey(viewer), kind: 'forged' },
      { name: 'HS256 with the public key', token: await hmacWithPublicKey(viewer, jwks), kind: 'forged' },
      { name: 'malformed API key', token: 'trk_nothere_', kind: 'forged' },
      { name: 'revoked API key', token: world.revokedKey, kind: 'revoked' },
    ];
    const foreign: Array<Attacker & { how: 'token' | 'key' }> = [
      { name: 'other project token', token: world.otherToken, kind: 'other project', how: 'token' },
      { name: 'other project API key', token: world.otherKey, kind: 'other project', how: 'key' },
    ];
    let state = await fingerprint(world);
    for (const operation of operations()) {
      if (operation.expectation === 'public') continue;
      const attackers: Array<{ attacker: Attacker; row: string }> = [
        ...anyone.map((attacker) => ({ attacker, row: attacker.name })),
        ...foreign.filter((f) => foreignIsRefused(operation, f.how)).map((attacker) => ({ attacker, row: attacker.name })),
        ...lowerCallers(operation, world).map((attacker) => ({ attacker, row: `role below the route's (${attacker.name})` })),
      ];
      for (const { attacker, row } of attackers) {
        await attempt(row, operation, attacker);
        if (isWrite(operation) && SCALE === 'full') state = await checkState(row, state, `${operation.operationId} with ${attacker.name}`);
      }
      if (isWrite(operation) && SCALE === 'short') state = await checkState('all attackers (state after each write route)', state, operation.operationId);
      // Another project's lists and creates act on its own project: their answers must hold nothing of A.
      for (const f of foreign.filter((x) => !foreignIsRefused(operation, x.how) && !isWrite(operation))) {
        const t = tally(`${f.name}: its own lists`);
        t.attempts += 1;
        const answer = await world.api('GET', urlOf(operation, world), { token: f.token });
        const leaked = foreignLeaksIn(answer.text);
        if (answer.status < 500 && leaked.length === 0) t.refused += 1;
        else t.wrong.push(`${operation.operationId}: ${answer.status} ${leaked.join(', ')}`);
      }
    }
    const wrong = [...tallies.values()].flatMap((t) => t.wrong);
    const changes = [...tallies.values()].flatMap((t) => t.changed);
    expect(wrong).toEqual([]);
    expect(changes).toEqual([]);
    expect([...tallies.values()].reduce((sum, t) => sum + t.attempts, 0)).toBeGreaterThan(900);
  }, 600_000);
});

describe('the user-api of a project', () => {
  it('takes only A\'s credentials of operator or above for A\'s workflow, and no other project\'s', async () => {
    const before = await fingerprint(world);
    const cases: Array<{ name: string; path: string; token: string; expected: number[] }> = [
      { name: 'no credential', path: '/user-api/attack-a/echo', token: '', expected: [401] },
      { name: 'expired token', path: '/user-api/attack-a/echo', token: world.expiredToken, expected: [401] },
      { name: 'tampered payload', path: '/user-api/attack-a/echo', token: tamperedPayload(world.roleTokens.viewer), expected: [401] },
      { name: 'alg none', path: '/user-api/attack-a/echo', token: algNone(world.roleTokens.viewer), expected: [401] },
      { name: 'revoked key', path: '/user-api/attack-a/echo', token: world.revokedKey, expected: [401] },
      { name: 'viewer token', path: '/user-api/attack-a/echo', token: world.roleTokens.viewer, expected: [403] },
      { name: 'viewer key', path: '/user-api/attack-a/echo', token: world.roleKeys.viewer, expected: [403] },
      { name: 'B token', path: '/user-api/attack-a/echo', token: world.otherToken, expected: [404] },
      { name: 'B key', path: '/user-api/attack-a/echo', token: world.otherKey, expected: [404] },
      { name: 'B key, A\'s id for its name', path: `/user-api/${world.a.id}/echo`, token: world.otherKey, expected: [404] },
      { name: 'B key through B\'s prefix and ..', path: '/user-api/attack-b/../attack-a/echo', token: world.otherKey, expected: [404] },
      { name: 'B key through B\'s prefix and %2e%2e', path: '/user-api/attack-b/%2e%2e/attack-a/echo', token: world.otherKey, expected: [404] },
      { name: 'B key, an encoded slash', path: '/user-api/attack-b%2F..%2Fattack-a/echo', token: world.otherKey, expected: [400, 404] },
      { name: 'A key at B\'s user-api', path: '/user-api/attack-b/echo', token: world.roleKeys.owner, expected: [404] },
    ];
    const t = tally('user-api across projects and roles');
    for (const c of cases) {
      t.attempts += 1;
      const answer = await world.api('POST', c.path, { token: c.token, json: { text: 'intruder' } });
      if (c.expected.includes(answer.status) && answer.status < 500 && !answer.text.includes('intruder')) t.refused += 1;
      else t.wrong.push(`${c.name}: ${answer.status} ${answer.text.slice(0, 160)}`);
    }
    await checkState('user-api across projects and roles', before, 'user-api attempts');
    // The control: A's operator key is let through (the refusals above are not a broken route).
    const control = await world.api('POST', '/user-api/attack-a/echo', { token: world.roleKeys.operator, json: { text: 'control' } });
    expect(control.status, control.text).toBe(200);
    expect(t.wrong).toEqual([]);
    expect(t.changed).toEqual([]);
  }, 60_000);
});

describe('completion webhooks', () => {
  let receiver: Server;
  let hits = 0;
  beforeAll(async () => {
    receiver = createServer((request, response) => {
      hits += 1;
      request.resume();
      response.end('ok');
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it('are never sent to loopback, private, link-local or metadata addresses, nor to the platform itself', async () => {
    const port = (receiver.address() as AddressInfo).port;
    const gateway = new URL(world.env.gateway.base);
    const targets = [
      `http://127.0.0.1:${port}/hook`, `http://localhost:${port}/hook`, `http://[::1]:${port}/hook`, `http://[::ffff:127.0.0.1]:${port}/hook`,
      `http://2130706433:${port}/hook`, `http://0x7f.1:${port}/hook`, `http://0.0.0.0:${port}/hook`, `http://127.1:${port}/hook`,
      'http://169.254.169.254/latest/meta-data/', 'http://[fd00:ec2::254]/latest/meta-data/', 'http://10.0.0.1/hook', 'http://172.16.0.1/hook',
      'http://192.168.1.1/hook', 'http://100.64.0.1/hook', 'http://[fe80::1]/hook', 'http://[fc00::1]/hook',
      `${gateway.origin}/runner/settings`, `http://127.0.0.1:${new URL(world.env.platform.running.authorization.url).port}/authorization/users`,
    ];
    const workflows = await Promise.all(targets.map(async (url, i) => ({ url, path: `hook-${i}`, id: await deploy(world.api, world.adminA, echoWorkflow(`hook-${i}`, { webhook: url })) })));
    const t = tally('webhook to an internal address');
    for (const workflow of workflows) {
      t.attempts += 1;
      const run = await world.api('POST', `/user-api/attack-a/${workflow.path}`, { json: { text: 'hook' } });
      expect(run.status, run.text).toBe(200);
      const listed = await world.api('GET', `/runner/runs?workflow=${workflow.path}`, { token: world.adminA });
      const runId = listed.body.items[0].id as string;
      // A refused URL is one failed attempt, never retried: wait for the delivery to end.
      const seen = await eventually(() => world.api('GET', `/runner/runs/${runId}`, { token: world.adminA }), (x) => x.body?.webhook && x.body.webhook.status !== 'pending', 30_000);
      const { webhook } = seen.body;
      if (webhook.status === 'failed' && /refused/.test(String(webhook.attempts[0].error))) t.refused += 1;
      else t.wrong.push(`${workflow.url}: ${JSON.stringify(webhook)}`);
    }
    const schemes = ['file:///etc/passwd', 'gopher://127.0.0.1:25/', 'ftp://10.0.0.1/'];
    for (const url of schemes) {
      t.attempts += 1;
      const imported = await world.api('POST', '/studio/workflows/import', { token: world.adminA, yaml: echoWorkflow(`scheme-${schemes.indexOf(url)}`, { webhook: url }) });
      const codes = (imported.body?.problems ?? []).map((p: { code: string }) => p.code);
      if (imported.status >= 400 ? isProblem(imported) : codes.includes('bad_webhook_url')) t.refused += 1;
      else t.wrong.push(`${url}: ${imported.status} ${imported.text.slice(0, 200)}`);
    }
    expect(t.wrong).toEqual([]);
    expect(hits).toBe(0);
  }, 300_000);
});

type Build = { id: string; state: string; action: { id: string } };

describe('hostile documents and repositories', () => {
  const repos: TestRepository[] = [];
  afterAll(async () => {
    await Promise.all(repos.map((repo) => repo.close()));
  });

  async function healthy(): Promise<void> {
    for (const { prefix } of SERVICES) expect((await world.api('GET', `${prefix}/healthz`)).status).toBe(200);
  }

  it('refuses a YAML bomb and a deep nesting in a workflow import at once', async () => {
    const t = tally('YAML bomb / deep nesting: workflow import');
    for (const yaml of [yamlBomb('steps').replace(/^/, 'apiVersion: trellis.dev/v1\nkind: Workflow\nname: bomb\n'), DEEP_YAML]) {
      t.attempts += 1;
      const started = Date.now();
      const answer = await world.api('POST', '/studio/workflows/import', { token: world.adminA, yaml });
      const ms = Date.now() - started;
      t.slowestMs = Math.max(t.slowestMs, ms);
      if (answer.status >= 400 && answer.status < 500 && isProblem(answer) && ms < 10_000) t.refused += 1;
      else t.wrong.push(`${answer.status} in ${ms} ms: ${answer.text.slice(0, 200)}`);
    }
    await healthy();
    expect(t.wrong).toEqual([]);
  }, 60_000);

  /** A source on `repo`, scanned: the scan's detail once it ends, and how long it took. */
  async function scanned(repo: TestRepository, name: string): Promise<{ scan: Answer; ms: number; source: string }> {
    const source = (await world.api('POST', '/repository/sources', { token: world.adminA, json: { name, url: repo.fileUrl } })).body.id as string;
    const started = Date.now();
    const request = await world.api('POST', `/repository/sources/${source}/scan`, { token: world.adminA });
    const scan = await eventually(() => world.api('GET', `/repository/sources/${source}/scans/${request.body.id}`, { token: world.adminA }),
      (x) => ['done', 'failed', 'canceled'].includes(x.body?.status), 120_000);
    return { scan, ms: Date.now() - started, source };
  }

  it('reports YAML bombs in manifests and never follows a link out of an action folder', async () => {
    const repo = await linksAndBombs();
    repos.push(repo);
    const { scan, ms, source } = await scanned(repo, 'links-and-bombs');
    const t = tally('YAML bomb, links out: repository scan');
    t.attempts += 1;
    t.slowestMs = ms;
    const problems = scan.body.problems as Array<{ folder: string; code: string }>;
    const reported = new Set(problems.map((p) => p.folder));
    const text = JSON.stringify(scan.body);
    const leaked = OUTSIDE_MARKERS.filter((marker) => text.includes(marker));
    if (scan.body.status === 'done' && ['actions/bomb', 'actions/deep', 'actions/link-manifest'].every((f) => reported.has(f)) && leaked.length === 0 && ms < 60_000) t.refused += 1;
    else t.wrong.push(`${scan.body.status} in ${ms} ms, problems in ${[...reported].join(', ')}, leaks ${leaked.join(', ')}: ${text.slice(0, 400)}`);

    // Whatever the scan made of the linked handler and logo, building them reads nothing outside.
    const built = (scan.body.actions as Array<{ id: string }>).map((a) => a.id).filter((id) => id.startsWith('link-'));
    if (built.length) {
      t.attempts += 1;
      await world.api('POST', `/repository/sources/${source}/build`, { token: world.adminA, json: { actions: built } });
      const builds = await eventually(() => world.api('GET', '/builder/builds', { token: world.adminA }),
        (x) => built.every((id) => x.body?.items?.some((b: Build) => b.action.id === id && ['succeeded', 'failed', 'canceled'].includes(b.state))), 300_000);
      const logs = await Promise.all((builds.body.items as Build[]).filter((b) => built.includes(b.action.id))
        .map(async (b) => (await world.api('GET', `/builder/builds/${b.id}/logs`, { token: world.adminA })).text));
      const logo = await world.api('GET', '/studio/actions/link-logo/logo', { token: world.adminA });
      const seen = [JSON.stringify(builds.body), ...logs, logo.text].join('\n');
      const out = OUTSIDE_MARKERS.filter((marker) => seen.includes(marker));
      if (out.length === 0) t.refused += 1;
      else t.wrong.push(`a build or a logo holds ${out.join(', ')}`);
    }
    await healthy();
    expect(t.wrong).toEqual([]);
  }, 600_000);

  it('fails the scan of a tree with a ".." entry, writing nothing outside', async () => {
    const repo = await dotDotEntry();
    repos.push(repo);
    const { scan, ms } = await scanned(repo, 'dot-dot');
    const t = tally('path traversal (..): repository scan');
    t.attempts += 1;
    t.slowestMs = ms;
    if (scan.body.status === 'failed' && scan.body.error?.code) t.refused += 1;
    else t.wrong.push(`${scan.body.status}: ${JSON.stringify(scan.body).slice(0, 300)}`);
    await healthy();
    expect(t.wrong).toEqual([]);
  }, 180_000);

  it('fails the scan of a repository that unpacks past its limit (a zip bomb in git), in bounded time', async () => {
    const repo = await zeroBomb(300);
    repos.push(repo);
    const { scan, ms } = await scanned(repo, 'zero-bomb');
    const t = tally('tar/zip bomb (300 MiB of zeros): repository scan');
    t.attempts += 1;
    t.slowestMs = ms;
    if (scan.body.status === 'failed' && scan.body.error?.code === 'too_large' && ms < 60_000) t.refused += 1;
    else t.wrong.push(`${scan.body.status} in ${ms} ms: ${JSON.stringify(scan.body.error)}`);
    await healthy();
    expect(t.wrong).toEqual([]);
  }, 180_000);
});

/** Bytes Python's tarfile writes (an attacker's tool: GNU tar will not write some of these), gzipped. */
function craftedTarGz(lines: string[]): Buffer {
  return execFileSync('python3', ['-c', [
    'import gzip, io, sys, tarfile', 'out = io.BytesIO()', 'with tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as t:', ...lines.map((l) => `    ${l}`),
    'sys.stdout.buffer.write(gzip.compress(out.getvalue()))',
  ].join('\n')]);
}

/** A gzip bomb's head: an entry that says it holds 11 GiB of zeros (its first MiB sent; tar reads the size before the data). */
function bombHead(): Buffer {
  return execFileSync('python3', ['-c', [
    'import gzip, sys, tarfile', 'info = tarfile.TarInfo("zeros.bin"); info.size = 11 * 1024 ** 3',
    'sys.stdout.buffer.write(gzip.compress(info.tobuf(tarfile.GNU_FORMAT) + bytes(1 << 20)))',
  ].join('\n')]);
}

describe('directory inputs', () => {
  async function call(archive: Buffer): Promise<{ status: number; run: Answer; ms: number }> {
    const form = new FormData();
    form.append('folder', new Blob([archive], { type: 'application/gzip' }), 'folder.tar.gz');
    const started = Date.now();
    const answer = await fetch(`${world.env.gateway.base}/user-api/attack-a/count`, { method: 'POST', body: form });
    world.env.answers.push(await answer.text());
    const newest = (await world.api('GET', '/runner/runs?workflow=count&limit=1', { token: world.adminA })).body.items[0].id as string;
    const runId = answer.headers.get('trellis-run-id') ?? newest;
    return { status: answer.status, run: await world.api('GET', `/runner/runs/${runId}`, { token: world.adminA }), ms: Date.now() - started };
  }

  it('refuses a tar bomb and entries that leave the folder, and still takes a good folder', async () => {
    await deploy(world.api, world.adminA, COUNT_WORKFLOW);
    const good = await call(craftedTarGz(['info = tarfile.TarInfo("a.txt"); info.size = 1; t.addfile(info, io.BytesIO(b"a"))', 'info = tarfile.TarInfo("b.txt"); info.size = 1; t.addfile(info, io.BytesIO(b"b"))']));
    expect(good.status, JSON.stringify(good.run.body)).toBe(200);
    expect(good.run.body.results).toEqual({ count: 2 });
    const t = tally('tar bomb, links and .. : directory input');
    const hostile: Array<[string, Buffer, RegExp]> = [
      ['a gzip bomb (an entry of 11 GiB)', bombHead(), /unpacks to more than/],
      ['a link out of the folder', craftedTarGz(['info = tarfile.TarInfo("etc"); info.type = tarfile.SYMTYPE; info.linkname = "../../../../etc"; t.addfile(info)']), /points outside/],
      ['a name with ..', craftedTarGz(['info = tarfile.TarInfo("../../escape.txt"); info.size = 1; t.addfile(info, io.BytesIO(b"x"))']), /leaves its folder/],
      ['a device', craftedTarGz(['info = tarfile.TarInfo("null"); info.type = tarfile.CHRTYPE; info.devmajor = 1; info.devminor = 3; t.addfile(info)']), /not a file, folder or link/],
    ];
    for (const [name, archive, reason] of hostile) {
      t.attempts += 1;
      const { run, ms } = await call(archive);
      t.slowestMs = Math.max(t.slowestMs, ms);
      const text = JSON.stringify(run.body?.error ?? run.body);
      if (run.body?.status === 'failed' && reason.test(text) && ms < 30_000) t.refused += 1;
      else t.wrong.push(`${name}: ${run.body?.status} in ${ms} ms: ${text.slice(0, 300)}`);
    }
    for (const { prefix } of SERVICES) expect((await world.api('GET', `${prefix}/healthz`)).status).toBe(200);
    expect(t.wrong).toEqual([]);
  }, 180_000);
});
