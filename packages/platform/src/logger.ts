import winston from 'winston';

export type Logger = winston.Logger;

/** Keys whose values never reach a log line, whatever the caller passes. */
const secretKey = /pass(word)?|secret|token|authorization|cookie|api[-_]?key|credential|private[-_]?key/i;

const redactSecrets = winston.format((info) => redact(info) as winston.Logform.TransformableInfo);

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string | symbol, unknown> = {};
  for (const key of Reflect.ownKeys(value)) {
    const item = (value as Record<string | symbol, unknown>)[key];
    out[key] = typeof key === 'string' && secretKey.test(key) ? '[redacted]' : redact(item, depth + 1);
  }
  return out;
}

/** One JSON logger per process: one line per request and per message, never a secret. */
export function makeLogger(options: { service: string; level?: string; silent?: boolean; transports?: winston.transport[] }): Logger {
  return winston.createLogger({
    level: options.level ?? 'info',
    silent: options.silent ?? false,
    defaultMeta: { service: options.service },
    format: winston.format.combine(
      winston.format.errors({ stack: true }),
      winston.format.timestamp(),
      redactSecrets(),
      winston.format.json(),
    ),
    transports: options.transports ?? [new winston.transports.Console()],
  });
}
