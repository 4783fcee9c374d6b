import { describe, expect, it } from 'vitest';
import type { ManifestProblem } from '@trellis/action-manifest/definition';
import { reasonOf } from './manifest.js';
import { npmFailureReason } from './npm.js';
import { lockOf, pipFailureReason } from './pip.js';

const npm = (...lines: string[]) => `${lines.map((line) => `npm error ${line}`).join('\n')}\n`;

describe('npmFailureReason', () => {
  it.each([
    ['a package missing from the registry (npm 11)', npm('code E404', '404 Not Found - GET http://127.0.0.1:4873/nope-xyz - Not found', '404',
      "404  The requested resource 'nope-xyz@9.9.9' could not be found or you do not have permission to access it.", 'A complete log of this run can be found in: /x.log'),
    'npm ci failed: package nope-xyz@9.9.9 not found in the registry'],
    ['a package missing from the registry (npm 9)', npm('code E404', '404 Not Found - GET https://registry.npmjs.org/nope-xyz - Not found', "404  'nope-xyz@9.9.9' is not in this registry."),
      'npm ci failed: package nope-xyz@9.9.9 not found in the registry'],
    ['a version that does not exist', npm('code ETARGET', 'notarget No matching version found for left-pad@^99.0.0.', 'notarget In most cases you...'),
      'npm ci failed: No matching version found for left-pad@^99.0.0'],
    ['a lock out of step with package.json', npm('code EUSAGE', '`npm ci` can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync.'),
      'npm ci failed: package.json and package-lock.json do not match; run npm install and commit the lock file'],
    ['an unreachable registry', npm('code ECONNREFUSED', 'syscall connect', 'errno ECONNREFUSED', 'FetchError: request to http://127.0.0.1:1/x failed, reason: connect ECONNREFUSED 127.0.0.1:1'),
      'npm ci failed: the npm registry cannot be reached (FetchError: request to http://127.0.0.1:1/x failed, reason: connect ECONNREFUSED 127.0.0.1:1)'],
    ['anything else, by its first message', npm('code EWHATEVER', 'something odd happened'), 'npm ci failed: something odd happened'],
    ['output that is not npm\'s', 'Exit prior to config file resolving\ncause\n', 'npm ci failed: cause'],
  ])('names %s', (_case, output, reason) => {
    expect(npmFailureReason('npm ci', output)).toBe(reason);
  });
});

describe('pipFailureReason', () => {
  it.each([
    ['a package missing from the index', 'ERROR: Could not find a version that satisfies the requirement nope-xyz==1.0 (from versions: none)\nERROR: No matching distribution found for nope-xyz==1.0\n',
      'pip install failed: no package nope-xyz==1.0 in the package index'],
    ['a bad line of requirements.txt', "ERROR: Invalid requirement: 'this is not a requirement' (from line 1 of requirements.txt)\n",
      "pip install failed: requirements.txt has an invalid requirement: 'this is not a requirement' (from line 1 of requirements.txt)"],
    ['a package that does not match its lock', 'ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE.\n',
      'pip install failed: a package does not match its hash in requirements.lock'],
  ])('names %s', (_case, output, reason) => {
    expect(pipFailureReason(output)).toBe(reason);
  });
});

describe('lockOf', () => {
  it('pins what pip installed, sorted, with hashes', () => {
    const report = { install: [
      { metadata: { name: 'Zeta_Pkg', version: '2.0' }, download_info: { archive_info: { hashes: { sha256: 'b'.repeat(64) } } } },
      { metadata: { name: 'alpha', version: '1.0' }, download_info: { archive_info: { hashes: { sha256: 'a'.repeat(64) } } } },
    ] };
    expect(lockOf(report).split('\n').slice(1).join('\n')).toBe(`alpha==1.0 \\\n    --hash=sha256:${'a'.repeat(64)}\nzeta-pkg==2.0 \\\n    --hash=sha256:${'b'.repeat(64)}\n`);
  });
});

describe('reasonOf', () => {
  const problem = (overrides: Partial<ManifestProblem>): ManifestProblem => ({ file: 'trellis.yaml', line: 4, column: 1, message: 'bad id', code: 'bad_id', ...overrides });
  it('names a syntax error by its file and line, and counts what it does not show', () => {
    expect(reasonOf([problem({ file: 'handler.py', line: 3, column: 7, code: 'handler_syntax_error', message: 'invalid syntax; the handler must compile' })]))
      .toBe('the action is not valid: syntax error in handler.py line 3, column 7: invalid syntax; the handler must compile');
    expect(reasonOf([problem({}), problem({ line: 5 }), problem({ line: 6 }), problem({ line: 7 })]))
      .toBe('the action is not valid: trellis.yaml line 4: bad id; trellis.yaml line 5: bad id; trellis.yaml line 6: bad id; and 1 more problem(s)');
  });
});
