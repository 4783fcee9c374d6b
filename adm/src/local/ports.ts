import { createServer } from 'node:net';
import { describePortHolder } from './port-holders.js';

export type PortVar = { readonly name: string; readonly port: number; readonly envVar: string };

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * The same ports moved by the first of 100, 200, ... 2000 that leaves every one of them free, as
 * the variables to set (`TRELLIS_PORT=8180 TRELLIS_S3_PORT=9100 ...`); undefined when none does.
 */
export async function movedPorts(ports: readonly PortVar[], host = '127.0.0.1'): Promise<string | undefined> {
  for (let offset = 100; offset <= 2000; offset += 100) {
    const moved = ports.map((p) => ({ ...p, port: p.port + offset }));
    if (moved.some((p) => p.port > 65535 || ports.some((original) => original.port === p.port))) continue;
    if (new Set(moved.map((p) => p.port)).size !== moved.length) continue;
    let free = true;
    for (const entry of moved) if (!(await isFree(entry.port, host))) free = false;
    if (free) return moved.map((p) => `${p.envVar}=${p.port}`).join(' ');
  }
  return undefined;
}

/**
 * Fails with one line per taken port, naming who holds it (another Trellis instance, or a pid)
 * and the variable that moves it, then a line that moves all of them to free ports.
 */
export async function assertPortsFree(
  ports: readonly PortVar[],
  host = '127.0.0.1',
  holderOf: (port: number) => string | undefined = describePortHolder,
): Promise<void> {
  const taken: string[] = [];
  const seen = new Map<number, string>();
  let inUse = 0;
  for (const entry of ports) {
    const other = seen.get(entry.port);
    if (other) taken.push(`  port ${entry.port} is given to both ${other} and ${entry.name}; set ${entry.envVar} to another port`);
    seen.set(entry.port, entry.name);
    if (!(await isFree(entry.port, host))) {
      inUse += 1;
      const holder = holderOf(entry.port);
      taken.push(`  port ${entry.port} (${entry.name}) is already in use${holder ? ` by ${holder}` : ''}; free it or set ${entry.envVar} to another port`);
    }
  }
  if (taken.length === 0) return;
  const moved = inUse > 0 ? await movedPorts(ports, host) : undefined;
  const hint = moved ? `\nTo run next to what holds them, move every port (these are free now):\n  ${moved} make up` : '';
  throw new Error(`cannot start Trellis:\n${taken.join('\n')}${hint}`);
}
