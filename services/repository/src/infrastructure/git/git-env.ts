import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Variables of the service's environment that git may need to reach a host (proxies, CA bundles). */
const PASSED = /^(PATH|LANG|TZ|HTTPS?_PROXY|https?_proxy|NO_PROXY|no_proxy|ALL_PROXY|all_proxy|SSL_CERT_FILE|SSL_CERT_DIR|GIT_SSL_CAINFO|GIT_SSL_CAPATH)$/;

/**
 * Answers git's prompts from the child's environment: the username for "Username for ...", the
 * password (or token) for anything else. The credentials are never on a command line, in a URL
 * or in a file; git only asks after the server refuses the anonymous request.
 */
const ASKPASS = `#!/bin/sh
case "$1" in
  Username*) printf '%s\\n' "$TRELLIS_GIT_USERNAME" ;;
  *) printf '%s\\n' "$TRELLIS_GIT_PASSWORD" ;;
esac
`;

export async function writeAskpass(folder: string): Promise<string> {
  const file = path.join(folder, 'askpass.sh');
  await writeFile(file, ASKPASS, { mode: 0o700 });
  await chmod(file, 0o700);
  return file;
}

/**
 * The whole environment of a git child: no terminal prompt, no system or user configuration
 * (credential helpers, hooks, aliases), English messages (they are classified, never shown),
 * and the credentials for the askpass helper when there are some.
 */
export function gitEnv(home: string, credentials: { username: string; password: string; askpass: string } | null): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && PASSED.test(name)) env[name] = value;
  Object.assign(env, {
    HOME: home,
    XDG_CONFIG_HOME: home,
    LC_ALL: 'C',
    LANGUAGE: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_SSH_COMMAND: 'false',
    GIT_LFS_SKIP_SMUDGE: '1',
  });
  if (credentials) {
    Object.assign(env, { GIT_ASKPASS: credentials.askpass, TRELLIS_GIT_USERNAME: credentials.username, TRELLIS_GIT_PASSWORD: credentials.password });
  }
  return env;
}

/**
 * Options on every git command of a scan: only the transports a source may use, no
 * credential helper, a transfer that stalls gives up, and symbolic links are checked out as
 * plain files (a link in a repository can never make the scan read outside its working copy).
 */
export const GIT_OPTIONS = [
  '-c', 'protocol.allow=never', '-c', 'protocol.https.allow=always', '-c', 'protocol.http.allow=always', '-c', 'protocol.file.allow=always',
  '-c', 'credential.helper=', '-c', 'core.hooksPath=/dev/null', '-c', 'core.symlinks=false', '-c', 'core.fsmonitor=false',
  '-c', 'http.lowSpeedLimit=1000', '-c', 'http.lowSpeedTime=30', '-c', 'submodule.recurse=false', '-c', 'init.defaultBranch=main',
] as const;
