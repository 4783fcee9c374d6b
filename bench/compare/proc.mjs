// Memory of processes, read from /proc (Linux): what `ps -o rss` shows, for a process and the
// tree it spawned. RSS counts a page shared by two processes twice (nginx's workers and master,
// for one); PSS splits it between them. The aims and the n8n script use RSS, so RSS is the
// figure; PSS is kept beside it.
import { readFileSync, readdirSync } from 'node:fs';

/** The pids `pid` spawned, directly (from every thread: a child belongs to the thread that forked it). */
export function childrenOf(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((thread) => {
      const listed = readFileSync(`/proc/${pid}/task/${thread}/children`, 'utf8').trim();
      return listed ? listed.split(/\s+/).map(Number) : [];
    });
  } catch {
    return []; // gone
  }
}

/** `pid` and every process below it. */
export function treeOf(pid) {
  return [pid, ...childrenOf(pid).flatMap(treeOf)];
}

/** kB of a `Name:   123 kB` line, or 0 when the process is gone (or the field missing). */
function kilobytes(file, field) {
  try {
    const match = readFileSync(file, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** The process's command line as one string ('' when gone). */
export function commandLineOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Resident memory of one process, in kB: RSS and PSS. */
export function memoryOf(pid) {
  return { pid, rssKb: kilobytes(`/proc/${pid}/status`, 'VmRSS'), pssKb: kilobytes(`/proc/${pid}/smaps_rollup`, 'Pss') };
}

/** Sums of a list of memoryOf() values. */
export function totalOf(memories) {
  return memories.reduce((sum, m) => ({ rssKb: sum.rssKb + m.rssKb, pssKb: sum.pssKb + m.pssKb }), { rssKb: 0, pssKb: 0 });
}

export const megabytes = (kb) => Math.round((kb / 1024) * 10) / 10;

/** Every process whose environment holds `name=value` (adm marks each process of an instance so). */
export function processesWithEnv(name, value) {
  const needle = Buffer.from(`\0${name}=${value}\0`);
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).map(Number).filter((pid) => {
    try {
      // Each variable ends with a NUL; a NUL in front lets the first one match too.
      return Buffer.concat([Buffer.from('\0'), readFileSync(`/proc/${pid}/environ`)]).includes(needle);
    } catch {
      return false; // gone, or not ours to read
    }
  });
}
