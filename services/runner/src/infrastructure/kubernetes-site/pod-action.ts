import type { LiveAction, WrapperHost } from '../local-site/action-process.js';
import type { ProcessExit } from '../local-site/wrapper-process.js';

/*
 * One pod's wrapper as the local site's call mapping sees a live action: a host that "exits"
 * when the site loses the pod, a channel closed after its last call, and a Run that tells a
 * crash from an unreachable pod.
 */

const HEALTH_AFTER_FAILURE_MS = 1000;

/** A pod's wrapper as the local site's LiveAction sees a host: it "exits" when the site loses the pod. */
export function podHost(address: string): { host: WrapperHost; lost: () => void } {
  let resolveExit: (exit: ProcessExit) => void = () => undefined;
  const exited = new Promise<ProcessExit>((resolve) => (resolveExit = resolve));
  const lost = () => resolveExit({ code: null, signal: null });
  const host: WrapperHost = {
    pid: undefined,
    address,
    exited,
    log: () => '',
    // Refused by Init, stopped or scaled away: the pod itself is the Deployment's to remove.
    stop: () => {
      lost();
      return exited;
    },
  };
  return { host, lost };
}

/** A client closed once the calls still in flight on it have ended. */
export function closeWhenIdle(live: LiveAction): void {
  if (live.calls.size === 0) return live.client.close();
  const poll = setInterval(() => {
    if (live.calls.size > 0) return;
    clearInterval(poll);
    live.client.close();
  }, 1000);
  poll.unref();
}

/**
 * A Run that fails below gRPC's deadline (the connection reset, the pod unreachable) is a crash
 * when the pod's wrapper no longer answers Health right after: the watch may see the restart
 * only later, and the call mapping decides `runtime_crashed` from `crashed` once Run returns.
 */
export function withCrashCheck(started: LiveAction, suspect: (live: LiveAction) => void): LiveAction {
  const live: LiveAction = {
    process: started.process,
    calls: started.calls,
    crashed: false,
    stopping: false,
    client: {
      ...started.client,
      run: async (request, deadlineMs, signal) => {
        const answer = await started.client.run(request, deadlineMs, signal);
        if (!answer.ok && answer.error.type === 'failed' && !live.stopping && !live.crashed) {
          const health = await started.client.health(HEALTH_AFTER_FAILURE_MS);
          if (!health.ok && !live.crashed) suspect(live);
        }
        return answer;
      },
    },
  };
  return live;
}
