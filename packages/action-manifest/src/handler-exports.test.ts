import { describe, expect, it } from 'vitest';
import { exportsFunction } from './handler-exports.js';

describe('exportsFunction (static check)', () => {
  it.each([
    ['export function handle(inputs) {}', true],
    ['export async function handle(inputs, context) {}', true],
    ['export const handle = async (inputs) => ({});', true],
    ['export let handle = function () {};', true],
    ['async function handle() {}\nexport { handle };', true],
    ['function main() {}\nexport { other, main as handle };', true],
    ['exports.handle = async function () {};', true],
    ['module.exports.handle = () => ({});', true],
    ['module.exports = { handle };', true],
    ['module.exports = {\n  setup,\n  handle: async (inputs) => inputs,\n};', true],
    ['module.exports = { async handle(inputs) { return inputs; } };', true],
    ['function handle() {}', false],
    ['export function handler() {}', false],
    ['export function handleIt() {}', false],
    ['function handle() {}\nexport { handle as main };', false],
    ['/* export function handle() {} */', false],
    ['// export function handle() {}', false],
    ['myexports.handle = 1;', false],
    ['module.exports = { handler };', false],
  ])('node: %j → %s', (code, expected) => {
    expect(exportsFunction(code, 'nodejs', 'handle')).toBe(expected);
  });

  it.each([
    ['def handle(inputs, context):\n    return {}', true],
    ['import x\n\nasync def handle(inputs, context):\n    pass', true],
    ['handle = make_handler()', true],
    ['class A:\n    def handle(self):\n        pass', false],
    ['def handler(inputs):\n    pass', false],
    ['# def handle(inputs):', false],
  ])('python: %j → %s', (code, expected) => {
    expect(exportsFunction(code, 'python', 'handle')).toBe(expected);
  });

  it('looks for run in triggers', () => {
    expect(exportsFunction('export async function run(context, inputs) {}', 'nodejs', 'run')).toBe(true);
    expect(exportsFunction('async def run(service, input_values):\n    pass', 'python', 'run')).toBe(true);
    expect(exportsFunction('export async function run(context, inputs) {}', 'nodejs', 'handle')).toBe(false);
  });
});
