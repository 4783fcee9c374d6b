// The child processes bench:compare has running (make, bench:platform, the n8n script), so that
// a Ctrl-C or a SIGTERM stops them too instead of leaving them to finish alone. Each runs in a
// process group of its own (spawned detached), signalled whole: what make runs, n8n's task runner.
const running = new Map();

/** Keeps `child` until it exits (`group`: it leads its own process group, signalled whole); returns it. */
export function track(child, { group = false } = {}) {
  running.set(child, group);
  child.once('exit', () => running.delete(child));
  return child;
}

/** SIGTERM to each running child, to its whole group when it leads one (the n8n script stops n8n on it). */
export function stopAll() {
  for (const [child, group] of running) {
    try {
      if (group) process.kill(-child.pid, 'SIGTERM');
      else child.kill('SIGTERM');
    } catch {
      // already gone
    }
  }
}
