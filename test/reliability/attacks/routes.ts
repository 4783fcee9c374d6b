import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROLES, type Role } from '@trellis/kernel/roles';
import { MATRIX, type Expectation } from '../../e2e/access-matrix.js';
import type { World } from './world.js';

/* Every operation of the merged OpenAPI document, aimed at project A's real resources. */

export type Operation = { method: string; path: string; operationId: string; expectation: Expectation };

export const OPENAPI = resolve(import.meta.dirname, '../../../docs/openapi.json');

/** Every operation of docs/openapi.json with who may call it (the e2e access matrix); one the matrix lacks throws. */
export function operations(): Operation[] {
  const doc = JSON.parse(readFileSync(OPENAPI, 'utf8')) as { paths: Record<string, Record<string, { operationId?: string }>> };
  const list: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (!operation.operationId) continue;
      const expectation = MATRIX[operation.operationId];
      if (!expectation) throw new Error(`${operation.operationId} is not in test/e2e/access-matrix.ts: say who may call it there`);
      list.push({ method: method.toUpperCase(), path, operationId: operation.operationId, expectation });
    }
  }
  return list;
}

export const isWrite = (operation: Operation) => operation.method !== 'GET';

/** The path with each parameter set to the A resource it names. */
export function urlOf(operation: Operation, world: World): string {
  const { ids } = world;
  const service = operation.path.split('/')[1];
  const byName: Record<string, string> = {
    projectId: world.a.id, keyId: ids.key, actionId: 'echo', version: '1.0.0', scanId: ids.scan, n: '1', step: 's1', workflowId: ids.workflow,
    userId: operation.path.includes('/members/') ? ids.memberUser : ids.victimUser,
  };
  const idOf = (): string => {
    if (service === 'studio') return operation.path.startsWith('/studio/files') ? ids.file : ids.workflow;
    if (service === 'repository') return ids.source;
    if (service === 'builder') return ids.build;
    return operation.path.startsWith('/runner/workflows') ? ids.workflow : ids.run;
  };
  const nameOf = (): string => {
    if (operation.path.startsWith('/studio/variables')) return ids.variable;
    if (operation.path.startsWith('/studio/secrets')) return ids.secret;
    return operation.path.includes('/outputs/') ? 'text' : 'go';
  };
  const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(name === 'id' ? idOf() : name === 'name' ? nameOf() : byName[name] ?? name));
  return `${path}${QUERIES[operation.operationId] ?? ''}`;
}

const QUERIES: Record<string, string> = { studioUploadFile: '?name=planted.txt' };

/** Bodies a write would succeed with if its check were missing: then the state check sees the change. */
const BODIES: Record<string, unknown> = {
  authorizationUpdateMe: { display_name: 'pwned' },
  authorizationChangeMyPassword: { current_password: 'x', new_password: 'pwned-password' },
  authorizationCreateUser: { username: 'planted', password: 'planted-password' },
  authorizationUpdateUser: { display_name: 'pwned' },
  authorizationCreateProject: { name: 'planted' },
  authorizationRenameProject: { title: 'pwned' },
  authorizationAddProjectMember: { username: 'victim', role: 'owner' },
  authorizationChangeProjectMemberRole: { role: 'owner' },
  authorizationCreateApiKey: { name: 'planted', role: 'owner' },
  authorizationSwitchProject: { project_id: '00000000-0000-4000-8000-000000000000' },
  studioSetVariable: { value: 'pwned' },
  studioSetSecret: { value: 'pwned' },
  studioCreateWorkflow: { name: 'planted' },
  studioReplaceWorkflow: { apiVersion: 'trellis.dev/v1', kind: 'Workflow', name: 'planted' },
  studioPatchWorkflow: { description: 'pwned' },
  repositoryCreateSource: { name: 'planted', url: 'file:///tmp/planted.git' },
  repositoryUpdateSource: { name: 'pwned' },
  runnerPutSettings: { retention_days: 1 },
  runnerStartRun: { inputs: { text: 'planted' } },
  runnerSignalRun: { planted: true },
};

export function bodyOf(operation: Operation): { json?: unknown; yaml?: string } {
  if (operation.operationId === 'studioImportWorkflow') return { yaml: 'apiVersion: trellis.dev/v1\nkind: Workflow\nname: planted\n' };
  if (!['POST', 'PUT', 'PATCH'].includes(operation.method)) return {};
  return { json: BODIES[operation.operationId] ?? {} };
}

export type Attacker = { name: string; token: string; kind: 'no credential' | 'forged' | 'revoked' | 'other project' | 'lower role' };

const RANK = Object.fromEntries(ROLES.map((role, rank) => [role, rank])) as Record<Role, number>;

/** The roles (token and key) below what the operation needs, and the owner where an admin or a person is needed. */
export function lowerCallers(operation: Operation, world: World): Attacker[] {
  const { expectation } = operation;
  const role = (held: Role, how: 'token' | 'key'): Attacker => ({ name: `${held} ${how}`, token: how === 'token' ? world.roleTokens[held] : world.roleKeys[held], kind: 'lower role' });
  if (expectation === 'public') return [];
  if (expectation === 'user') return [role('owner', 'key')];
  if (expectation === 'admin') return [role('owner', 'token'), role('owner', 'key')];
  const needed = (expectation.startsWith('member:') ? expectation.slice(7) : expectation) as Role;
  return ROLES.filter((held) => RANK[held] < RANK[needed]).flatMap((held) => [role(held, 'token'), role(held, 'key')]);
}

/**
 * Whether another project's credential must be refused here: an operation naming one of A's
 * resources by id, or one only admins (or people, for a key) may call. A list, a create, or a
 * variable or secret by name acts on the caller's own project: a read's answer is checked for
 * A's values and ids instead, and A's state after every write route shows a write that reached it.
 */
export function foreignIsRefused(operation: Operation, how: 'token' | 'key'): boolean {
  if (operation.expectation === 'public') return false;
  if (operation.expectation === 'admin') return true;
  if (operation.expectation === 'user') return how === 'key';
  // A variable or secret is named within the caller's project: B writing ATTACK_VAR writes its own.
  if (/^\/studio\/(variables|secrets)\/\{name\}$/.test(operation.path)) return false;
  return /\{\w+\}/.test(operation.path);
}
