import { mkdir, writeFile } from 'node:fs/promises';
import { devNull } from 'node:os';
import path from 'node:path';

/** What the operator's environment may give the build's commands: where programs are, and how to reach the network. */
const PASSED_THROUGH = [
  'PATH', 'LANG', 'LC_ALL', 'TZ', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy',
  'SSL_CERT_FILE', 'SSL_CERT_DIR', 'NODE_EXTRA_CA_CERTS', 'PIP_CERT',
];

/**
 * The environment of a build's commands: never the builder's own (its database, broker and store
 * credentials stay out of reach of anything a package does), and no configuration of the
 * machine's npm or pip: a build depends only on the action's folder and the builder's settings.
 */
export async function makeBuildEnv(cacheDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Record<string, string>> {
  const home = path.join(cacheDir, 'home');
  await mkdir(home, { recursive: true });
  // Empty user and global configuration files (two: npm refuses to load one file as both).
  const npmrc = path.join(home, '.npmrc');
  const globalNpmrc = path.join(home, 'global.npmrc');
  await writeFile(npmrc, '');
  await writeFile(globalNpmrc, '');
  const passed = Object.fromEntries(PASSED_THROUGH.flatMap((name) => (env[name] === undefined ? [] : [[name, env[name] as string]])));
  return {
    ...passed,
    HOME: home,
    npm_config_userconfig: npmrc,
    npm_config_globalconfig: globalNpmrc,
    npm_config_cache: path.join(cacheDir, 'npm'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_progress: 'false',
    PIP_CONFIG_FILE: devNull,
    PIP_CACHE_DIR: path.join(cacheDir, 'pip'),
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INPUT: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONNOUSERSITE: '1',
  };
}
