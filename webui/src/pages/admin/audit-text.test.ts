import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../api/admin.js';
import { actionText, actorText, detailsText, targetText, withDeletedNames, type Names } from './audit-text.js';

const entry = (fields: Partial<AuditEntry>): AuditEntry => ({
  id: 1, type: 'user_created', outcome: 'success', actor_user_id: null, actor_api_key_id: null, project_id: null,
  target_type: null, target_id: null, client_ip: null, trace_id: 't', details: {}, occurred_at: '2026-12-03T08:00:00.000Z', ...fields,
});
const names: Names = { users: new Map([['u1', 'alice']]), projects: new Map([['p1', 'demo']]) };

describe('an audit entry in words', () => {
  it('names the actor by username, an API key by its id\'s start, and Trellis itself otherwise', () => {
    expect(actorText(entry({ actor_user_id: 'u1' }), names)).toBe('alice');
    expect(actorText(entry({ actor_user_id: 'gone' }), names)).toBe('gone');
    expect(actorText(entry({ actor_api_key_id: '0123456789abcdef' }), names)).toBe('API key 01234567');
    expect(actorText(entry({}), names)).toBe('Trellis');
    expect(actorText(entry({ type: 'login', outcome: 'failure' }), names)).toBe('anonymous');
  });

  it('names the target by what is known of it, a deleted one by its details', () => {
    expect(targetText(entry({ target_type: 'user', target_id: 'u1' }), names)).toBe('user alice');
    expect(targetText(entry({ target_type: 'user', target_id: 'u9', details: { username: 'bob' } }), names)).toBe('user bob');
    expect(targetText(entry({ target_type: 'project', target_id: 'p1' }), names)).toBe('project demo');
    expect(targetText(entry({ target_type: 'project', target_id: 'p9', details: { name: 'old' } }), names)).toBe('project old');
    expect(targetText(entry({ target_type: 'api_key', target_id: 'k1', details: { prefix: 'abc' } }), names)).toBe('API key abc');
    expect(targetText(entry({ target_type: 'session', target_id: 'abcdef0123' }), names)).toBe('session abcdef01');
    expect(targetText(entry({}), names)).toBe('—');
  });

  it('still names what was deleted, from the deletion\'s entry', () => {
    const known = withDeletedNames(names, [
      entry({ type: 'project_deleted', target_type: 'project', target_id: 'p9', details: { name: 'old' } }),
      entry({ type: 'user_deleted', target_type: 'user', target_id: 'u9', details: { username: 'bob' } }),
    ]);
    expect(targetText(entry({ type: 'project_created', target_type: 'project', target_id: 'p9' }), known)).toBe('project old');
    expect(actorText(entry({ actor_user_id: 'u9' }), known)).toBe('bob');
    expect(actorText(entry({ actor_user_id: 'u1' }), known)).toBe('alice');
  });

  it('writes details and actions in one line', () => {
    expect(detailsText(entry({ details: { role: 'owner', change: 'added', gone: null, fields: ['title', 'email'], none: [] } }))).toBe('role: owner; change: added; fields: title, email');
    expect(actionText('api_key_created')).toBe('api key created');
  });
});
