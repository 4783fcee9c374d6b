import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import type { ActionDefinition } from '@trellis/action-manifest/definition';
import { failureOf, trimStack } from './failure.js';
import { runCaptured } from './log-capture.js';
import type { HandlerOutcome, HandlerRuntime, Invocation, ListenInvocation } from './runtime.js';

type HandleFn = (inputs: Readonly<Record<string, unknown>>, context?: unknown) => unknown;
type RunFn = (context: unknown, inputs: Readonly<Record<string, unknown>>) => unknown;

/** An emit that failed, as the handler sees it: `code` is emit_refused, emit_timeout or emit_cancelled. */
export class EmitError extends Error {
  override readonly name = 'EmitError';
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/**
 * The trigger's `context.emit(outputs)`: resolves once the run is accepted, rejects with an
 * EmitError otherwise. A trigger that does not await it (written before acknowledgements) must
 * not crash the wrapper with an unhandled rejection: the promise is marked handled, and still
 * rejects for whoever awaits it.
 */
function emitOf(invocation: ListenInvocation): (outputs: unknown) => Promise<void> {
  return (outputs) => {
    const settled = invocation.emit(outputs).then((outcome) => {
      if (!outcome.ok) throw new EmitError(outcome.error.code, outcome.error.message);
    });
    settled.catch(() => undefined);
    return settled;
  };
}

/**
 * Whether a handler file is CommonJS, as Node decides it: `.cjs` yes, `.mjs` no, `.js` unless the
 * nearest package.json (the action folder's, else a parent's) says "type": "module".
 */
export function isCommonJs(folder: string, handlerFile: string): boolean {
  if (handlerFile.endsWith('.cjs')) return true;
  if (handlerFile.endsWith('.mjs')) return false;
  let dir = path.dirname(path.resolve(folder, handlerFile));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type !== 'module';
      } catch {
        return true;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return true;
    dir = parent;
  }
}

/** Why a handler did not load, as the Python runtime says it: the error's name and message, then where. */
function loadError(handler: string, error: unknown): Error {
  if (!(error instanceof Error)) return new Error(`cannot load ${handler}: ${String(error)}`, { cause: error });
  const stack = trimStack(error.stack ?? '');
  // A SyntaxError's stack starts with the offending line and a caret: that is the useful part.
  const where = stack.startsWith(`${error.name}:`) ? '' : stack.slice(0, stack.indexOf(`\n${error.name}:`)).trim();
  return new Error(`cannot load ${handler}: ${error.name}: ${error.message}${where ? `\n${where}` : ''}`, { cause: error });
}

/**
 * The entry point of a loaded module. `handle` (or `run`) is a named export, or a property of the
 * default export. A Ryax handler may also be the module itself (`module.exports = handle;`, as
 * Ryax documents it) or an ES module's default export (`export default function handle`).
 */
export function entryPointOf(loaded: unknown, name: 'handle' | 'run', format: 'trellis' | 'ryax'): unknown {
  const record = (loaded ?? {}) as Record<string, unknown>;
  const fallback = record['default'];
  const named = record[name] ?? (fallback as Record<string, unknown> | undefined)?.[name];
  if (typeof named === 'function' || format !== 'ryax') return named;
  if (typeof loaded === 'function') return loaded;
  return typeof fallback === 'function' ? fallback : named;
}

/**
 * Loads a Node handler in this process. Handlers run concurrently in the wrapper's event loop;
 * a timed-out handler cannot be killed (a promise cannot be cancelled): it is abandoned, its
 * context.signal fires, and whatever it still does runs on in the background. A Ryax handler is
 * called as Ryax calls it, `handle(ryax_input)`; Ryax has no Node.js triggers.
 */
export async function loadNodeRuntime(folder: string, definition: Pick<ActionDefinition, 'handler' | 'kind' | 'source'>): Promise<HandlerRuntime> {
  const { handler, kind } = definition;
  const ryax = definition.source.format === 'ryax';
  if (ryax && kind === 'Trigger') throw new Error(`${handler}: Ryax has no Node.js triggers (sources); write the trigger in Python (ryax_run.py)`);
  const file = path.resolve(folder, handler);
  if (!existsSync(file)) throw new Error(`the handler ${handler} does not exist in ${folder}`);
  let loaded: unknown;
  try {
    loaded = isCommonJs(folder, handler) ? createRequire(path.join(folder, 'package.json'))(file) : await import(pathToFileURL(file).href);
  } catch (error) {
    throw loadError(handler, error);
  }
  const handle = entryPointOf(loaded, 'handle', definition.source.format);
  const run = entryPointOf(loaded, 'run', definition.source.format);
  if (kind === 'Trigger' && typeof run !== 'function') throw new Error(`the trigger handler ${handler} does not export a function run(context, inputs)`);
  if (kind !== 'Trigger' && typeof handle !== 'function') {
    throw new Error(`the handler ${handler} does not export a function ${ryax ? 'handle(ryax_input) (module.exports = handle)' : 'handle(inputs, context)'}`);
  }

  const contextOf = (invocation: Invocation) => ({
    executionId: invocation.executionId,
    /** The same for every attempt of one step of a run: a handler with side effects deduplicates by it. */
    idempotencyKey: invocation.idempotencyKey,
    /** 1 for the first attempt. */
    attempt: invocation.attempt,
    /** A folder of this execution's own, made the first time a handler asks for it. */
    get workdir(): string {
      mkdirSync(invocation.workdir, { recursive: true });
      invocation.onWorkdirUsed?.();
      return invocation.workdir;
    },
    signal: invocation.signal,
    log: (...args: unknown[]) => invocation.logs.write('stdout', `${format(...args)}\n`),
  });
  const settle = async (call: () => unknown): Promise<HandlerOutcome> => {
    try {
      return { ok: true, outputs: await call() };
    } catch (error) {
      return { ok: false, error: failureOf(error) };
    }
  };

  return {
    maxConcurrency: undefined,
    invoke: ryax
      ? (invocation) => runCaptured(invocation.logs, () => settle(() => (handle as HandleFn)(invocation.inputs)))
      : (invocation) => runCaptured(invocation.logs, () => settle(() => (handle as HandleFn)(invocation.inputs, contextOf(invocation)))),
    listen: (invocation) =>
      runCaptured(invocation.logs, () =>
        settle(() => (run as RunFn)({ ...contextOf(invocation), emit: emitOf(invocation), lastEvent: invocation.lastEvent }, invocation.inputs)),
      ),
    close: () => Promise.resolve(),
  };
}
