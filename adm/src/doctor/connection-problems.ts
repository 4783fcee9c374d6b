/** What a failed connection means, in words, and what to do about it. Pure: the probes hand over the error. */
export type Explained = { readonly detail: string; readonly hint?: string };

export type Server = 'database' | 'broker';

const START: Record<Server, string> = {
  database: 'is PostgreSQL running? `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, or `make up`',
  broker: 'is RabbitMQ running? `rabbitmq-server -detached`, or `make up`',
};

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  // Node's happy-eyeballs connect throws an AggregateError whose parts carry the code.
  const parts = (error as { errors?: unknown[] } | undefined)?.errors;
  return Array.isArray(parts) ? parts.map(codeOf).find((c) => c !== undefined) : undefined;
}

/** The first line of an error's message, at most 300 characters: enough to say what, never a dump. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.slice(0, 300) ?? '';
}

/**
 * `where` is `host:port` of the server; `account` the role or broker user the service logs in as.
 * The password is never part of a message.
 */
export function explainConnectionError(server: Server, error: unknown, where: string, account: string): Explained {
  const code = codeOf(error);
  const message = firstLine(error);
  const provision = '`trellis-adm provision` (or `make up`) sets it up again from .trellis/secrets.env';
  if (code === 'ECONNREFUSED') return { detail: `connection refused at ${where}`, hint: START[server] };
  if (code === 'ETIMEDOUT' || /timeout|timed out/i.test(message)) return { detail: `no answer from ${where} in time`, hint: `${START[server]}; is ${where} the right address?` };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { detail: `cannot resolve the host of ${where}`, hint: 'check TRELLIS_PG_HOST / TRELLIS_AMQP_HOST' };
  if (server === 'database') {
    if (code === '28P01' || code === '28000') return { detail: `${where} refused role ${account}: ${message}`, hint: provision };
    if (code === '3D000') return { detail: `database ${account} does not exist on ${where}`, hint: provision };
    if (code === '53300') return { detail: `${where} has no connection left: ${message}`, hint: 'PostgreSQL\'s max_connections are all taken: see who holds them in pg_stat_activity, or raise max_connections' };
    if (code === '57P03') return { detail: `${where} is starting up or shutting down`, hint: 'try again in a moment' };
  } else {
    if (/ACCESS[-_]REFUSED|403/.test(message)) return { detail: `${where} refused broker user ${account}`, hint: provision };
    if (/vhost .*not found|NOT_ALLOWED/i.test(message)) return { detail: `${where} refused the instance's vhost for ${account}: ${message}`, hint: provision };
  }
  return { detail: `cannot connect to ${where}: ${message}${code && !message.includes(code) ? ` (${code})` : ''}`, hint: START[server] };
}
