// @ts-check
// log: writes one line to the run's logs, and passes the message on so steps can be chained.
import { ActionError } from './errors.js';

const LEVELS = ['info', 'warn', 'error'];

/**
 * @param {{ message?: string, level?: string, data?: unknown }} inputs
 * @param {{ log?: (...args: unknown[]) => void }} [context]
 */
export function handle(inputs, context = {}) {
  const level = inputs.level ?? 'info';
  if (!LEVELS.includes(level)) throw new ActionError('level must be info, warn or error', 'bad_input');
  const message = String(inputs.message ?? '');
  // One line, whatever the message holds: a line break would split it into entries of its own.
  const text = message.replace(/\r?\n/g, '\\n');
  const data = inputs.data === undefined || inputs.data === null ? '' : ` ${JSON.stringify(inputs.data)}`;
  (context.log ?? console.log)(`[${level}] ${text}${data}`);
  return { message };
}
