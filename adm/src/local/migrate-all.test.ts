// migrateAll on real processes: small Node scripts stand in for the services' migrate steps.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateAll } from './migrate-all.js';
import type { ChildSpec } from './supervisor-plan.js';

let dir = '';
let logFile = '';

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'trellis-migrate-all-'));
  logFile = path.join(dir, 'migrate.log');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A service whose set-up steps are Node scripts, run in the test's directory. */
function aService(name: string, ...scripts: string[]): ChildSpec {
  return {
    name,
    command: process.execPath,
    args: ['main.js'],
    env: { PATH: process.env['PATH'] ?? '' },
    cwd: dir,
    setup: scripts.map((script, i) => ({ name: i === 0 ? 'migrate' : `step ${i + 1}`, command: process.execPath, args: ['-e', script] })),
  };
}

/**
 * Prints its first line and marks this step as started, then waits until every one of `names`
 * has started, then prints the rest of its `lines`: it finishes only if all of them run at the
 * same time (exit 3 after 10 s otherwise), and its lines would mix with the others' if the log
 * were written as they came.
 */
function waitForAll(name: string, names: readonly string[], lines = 1): string {
  return `
    const fs = require('node:fs');
    const say = (line) => console.log(JSON.stringify({ service: ${JSON.stringify(name)}, line }));
    say(1);
    fs.writeFileSync(${JSON.stringify(`${name}.started`)}, '');
    const others = ${JSON.stringify(names.map((n) => `${n}.started`))};
    const until = Date.now() + 10000;
    const tick = setInterval(() => {
      if (others.every((f) => fs.existsSync(f))) {
        clearInterval(tick);
        for (let line = 2; line <= ${lines}; line++) say(line);
      } else if (Date.now() > until) process.exit(3);
    }, 5);`;
}

const names = ['authorization', 'studio', 'repository', 'action-builder', 'runner'];

describe('migrateAll', () => {
  it('runs the services set-up steps at the same time, each service its own steps in order', async () => {
    const services = names.map((name) => aService(name, waitForAll(name, names)));
    // runner's second step needs what its first leaves when it has finished.
    const leaveDone = `process.on('exit', () => require('node:fs').writeFileSync('runner.done', ''));`;
    services[4] = aService('runner', `${leaveDone}${waitForAll('runner', names)}`, `require('node:fs').statSync('runner.done')`);
    await migrateAll({ children: services }, logFile);
    expect(readFileSync(logFile, 'utf8').split('\n').filter(Boolean)).toHaveLength(names.length);
  });

  it('writes each step whole to the log, after what the log held, so lines of services do not mix', async () => {
    writeFileSync(logFile, 'from an earlier start\n');
    const services = names.slice(0, 3).map((name) => aService(name, waitForAll(name, names.slice(0, 3), 4)));
    await migrateAll({ children: services }, logFile);
    const lines = readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
    expect(lines[0]).toBe('from an earlier start');
    const order = lines.slice(1).map((line) => JSON.parse(line) as { service: string; line: number });
    expect(order).toHaveLength(12);
    for (let block = 0; block < 3; block++) {
      const service = order[block * 4]!.service;
      expect(order.slice(block * 4, block * 4 + 4)).toEqual([1, 2, 3, 4].map((line) => ({ service, line })));
    }
  });

  it('names every service whose step failed, with the end of its output, after all have finished', async () => {
    const services = [
      aService('authorization', `console.log('fine')`),
      aService('studio', `console.error('cannot reach the database'); process.exit(1)`),
      aService('runner', `console.error('bad config'); process.exit(78)`, `require('node:fs').writeFileSync('never', '')`),
      aService('repository', `setTimeout(() => console.log('slow but fine'), 200)`),
    ];
    const failure = migrateAll({ children: services }, logFile);
    await expect(failure).rejects.toThrow('2 set-up steps failed: migrate of studio, migrate of runner');
    await expect(failure).rejects.toThrow('migrate of studio failed (exit 1); the end of its output:\ncannot reach the database');
    await expect(failure).rejects.toThrow('migrate of runner failed (exit 78); the end of its output:\nbad config');
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('fine\n');
    expect(log).toContain('slow but fine\n');
    expect(() => readFileSync(path.join(dir, 'never'))).toThrow();
  });

  it('names the one service whose step failed or could not start', async () => {
    const crashed = migrateAll({ children: [aService('authorization', `console.log('ok')`), aService('studio', `throw new Error('boom')`)] }, logFile);
    await expect(crashed).rejects.toThrow(/^migrate of studio failed \(exit 1\); the end of its output:\n[\s\S]*Error: boom/);

    const missing: ChildSpec = { ...aService('runner'), setup: [{ name: 'migrate', command: path.join(dir, 'no-such-program'), args: [] }] };
    await expect(migrateAll({ children: [missing] }, logFile)).rejects.toThrow(/^migrate of runner failed \(could not be started: .*ENOENT/);
  });
});
