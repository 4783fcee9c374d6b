import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig, serviceEnvShape } from '@trellis/platform/config';

describe('loadConfig', () => {
  const schema = z.object(serviceEnvShape);
  const good = {
    TRELLIS_HTTP_PORT: '8102',
    TRELLIS_DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db',
    TRELLIS_AMQP_URL: 'amqp://u:p@127.0.0.1:5672/trellis',
  };

  it('parses and applies defaults', () => {
    const config = loadConfig(schema, good);
    expect(config.TRELLIS_HTTP_PORT).toBe(8102);
    expect(config.TRELLIS_HTTP_HOST).toBe('127.0.0.1');
    expect(config.TRELLIS_BODY_LIMIT).toBe('1mb');
  });

  it('lists every problem at once and hides values that may hold secrets', () => {
    const attempt = () => loadConfig(schema, { TRELLIS_HTTP_PORT: 'eighty', TRELLIS_DATABASE_URL: 'mysql://root:hunter2@x/db' });
    expect(attempt).toThrow(ConfigError);
    const message = (() => { try { attempt(); return ''; } catch (error) { return (error as Error).message; } })();
    expect(message).toContain('TRELLIS_HTTP_PORT');
    expect(message).toContain('got "eighty"');
    expect(message).toContain('TRELLIS_DATABASE_URL: expected a postgres:// URL (value hidden)');
    expect(message).toContain('TRELLIS_AMQP_URL');
    expect(message).not.toContain('hunter2');
  });
});
