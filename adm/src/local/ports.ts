import { createServer } from 'node:net';

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Fails with one line per taken port, naming the variable that moves it. */
export async function assertPortsFree(ports: readonly { name: string; port: number; envVar: string }[], host = '127.0.0.1'): Promise<void> {
  const taken: string[] = [];
  const seen = new Map<number, string>();
  for (const entry of ports) {
    const other = seen.get(entry.port);
    if (other) taken.push(`  port ${entry.port} is given to both ${other} and ${entry.name}; set ${entry.envVar} to another port`);
    seen.set(entry.port, entry.name);
    if (!(await isFree(entry.port, host))) taken.push(`  port ${entry.port} (${entry.name}) is already in use; free it or set ${entry.envVar} to another port`);
  }
  if (taken.length > 0) throw new Error(`cannot start Trellis:\n${taken.join('\n')}`);
}
