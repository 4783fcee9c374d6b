import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { processCommandLine } from './processes.js';
import { SUPERVISED_BY } from './supervisor-plan.js';

/** Inodes of the sockets listening on a TCP port (IPv4 and IPv6), from /proc/net. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      if (!local || fields[3] !== '0A') continue; // 0A: LISTEN
      if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port && fields[9]) inodes.add(fields[9]);
    }
  }
  return inodes;
}

/** The processes that hold a listening socket on the port (as far as we may look into them). */
export function listeningProcesses(port: number): number[] {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return [];
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${entry}/fd/${fd}`);
        if (target.startsWith('socket:[') && inodes.has(target.slice(8, -1))) {
          found.push(Number(entry));
          break;
        }
      } catch {
        // closed meanwhile
      }
    }
  }
  return found;
}

function markerOf(pid: number): string | undefined {
  try {
    const variable = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((v) => v.startsWith(`${SUPERVISED_BY}=`));
    return variable ? dirname(variable.slice(SUPERVISED_BY.length + 1)) : undefined;
  } catch {
    return undefined;
  }
}

/** `node .../supervisor-main.js <state dir>/supervisor.json` -> the state dir. */
function supervisedFrom(pid: number): string | undefined {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const main = argv.findIndex((arg) => arg.endsWith('supervisor-main.js'));
    const plan = main === -1 ? undefined : argv[main + 1];
    return plan ? dirname(plan) : undefined;
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return parent > 1 ? parent : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The state directory of the Trellis instance a process belongs to: from the supervisor's marker
 * in its environment, or else (nginx writes its process title over its environment) from the
 * supervisor among its parents.
 */
function trellisStateDirOf(pid: number): string | undefined {
  const marked = markerOf(pid);
  if (marked) return marked;
  for (let ancestor = parentOf(pid), depth = 0; ancestor !== undefined && depth < 3; ancestor = parentOf(ancestor), depth++) {
    const stateDir = supervisedFrom(ancestor);
    if (stateDir) return stateDir;
  }
  return undefined;
}

/** Who holds a port, in words: "the Trellis instance of /work/main/.trellis" or "pid 42: python3 -m http.server". */
export function describePortHolder(port: number): string | undefined {
  const pids = listeningProcesses(port);
  for (const pid of pids) {
    const stateDir = trellisStateDirOf(pid);
    if (stateDir) return `the Trellis instance of ${stateDir}`;
  }
  const pid = pids[0];
  if (pid === undefined) return undefined;
  const command = processCommandLine(pid);
  return `pid ${pid}${command ? `: ${command.length > 60 ? `${command.slice(0, 57)}...` : command}` : ''}`;
}
