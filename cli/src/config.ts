import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Tokens } from '@trellis/sdk';

/** One Trellis instance and who you are there: its URL, your credentials and your current project. */
export type Context = {
  url: string;
  username?: string;
  tokens?: Tokens;
  apiKey?: string;
  project?: { id: string; name: string };
};

export type Config = { current?: string; contexts: Record<string, Context> };

/** `$XDG_CONFIG_HOME/trellis/config.json` (`~/.config/trellis/config.json` by default). */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CONFIG_HOME'] || path.join(homedir(), '.config');
  return path.join(base, 'trellis', 'config.json');
}

export function readConfig(file = configPath()): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { contexts: {} };
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<Config>;
  return { ...(parsed.current ? { current: parsed.current } : {}), contexts: parsed.contexts ?? {} };
}

/** Written whole through a temporary file, readable by you alone (it holds tokens and keys). */
export function writeConfig(config: Config, file = configPath()): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

export function updateContext(name: string, change: (context: Context | undefined) => Context | undefined, file = configPath()): void {
  const config = readConfig(file);
  const next = change(config.contexts[name]);
  if (next) config.contexts[name] = next;
  else delete config.contexts[name];
  if (next && !config.current) config.current = name;
  writeConfig(config, file);
}
