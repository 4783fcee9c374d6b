// Server processes for the benchmark: started as children (so client and server never share an
// event loop), their port read from the first line of stdout, and all killed when the benchmark
// exits, whether it ends, fails or is interrupted.
import { spawn } from 'node:child_process';

const children = new Map(); // child -> its stop()

process.once('exit', () => {
  for (const child of children.keys()) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping the servers\n`);
    // Gracefully, so a wrapper stops its Python child and removes its temp dirs; the 'exit'
    // handler kills whatever is left.
    const exit = () => process.exit(130);
    setTimeout(exit, 3_000).unref();
    void Promise.all([...children.values()].map((stop) => stop())).then(exit);
  });
}

/**
 * Runs `node <args>` and resolves with { port, stop } once it printed its port. Rejects, with
 * the end of its stderr, when it exits first or prints nothing within `timeoutMs`.
 */
export function startServer(name, args, { timeoutMs = 20_000, nodeOptions = [] } = {}) {
  const child = spawn(process.execPath, [...nodeOptions, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text) => (stderr = (stderr + text).slice(-4000)));
  let exited = false;
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => {
    exited = true;
    children.delete(child);
    resolve({ code, signal });
  }));
  const stop = async () => {
    if (!exited) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exit;
    clearTimeout(timer);
  };
  children.set(child, stop);
  return new Promise((resolve, reject) => {
    const fail = (why) => {
      child.kill('SIGKILL');
      reject(new Error(`${name} server did not start: ${why}\n  command: node ${args.join(' ')}\n  stderr: ${stderr.trim() || '(empty)'}`));
    };
    const timer = setTimeout(() => fail(`no port on stdout after ${timeoutMs} ms`), timeoutMs);
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', function onData(text) {
      stdout += text;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      child.stdout.off('data', onData).resume(); // keep draining whatever else it prints
      clearTimeout(timer);
      const port = Number(stdout.slice(0, newline).trim());
      if (!Number.isInteger(port) || port <= 0) return fail(`first line of stdout is not a port: ${stdout.slice(0, newline)}`);
      resolve({ port, stop });
    });
    void exit.then(({ code, signal }) => {
      clearTimeout(timer);
      fail(`exited with ${signal ?? `code ${code}`}`);
    });
  });
}
