import { describe, expect, it } from 'vitest';
import { exportsFunction, exportsModuleFunction } from './handler-exports.js';

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

describe('exportsModuleFunction (a Ryax Node.js handler is the module itself)', () => {
  it.each([
    ['function handle(ryax_input) {}\nmodule.exports = handle;', true],
    ['module.exports = handle', true],
    ['module.exports = function (ryax_input) { return {}; };', true],
    ['module.exports = async function handle(input) {};', true],
    ['module.exports = async (input) => ({});', true],
    ['module.exports = input => ({});', true],
    ["module.exports = require('./impl');", true],
    ['export default function handle(input) {}', true],
    ['export default handle;', true],
    ['module.exports = { handle };', false],
    ['exports.handle = () => ({});', false],
    ['// module.exports = handle;', false],
    ['module.exports = handle.bind(null);', false],
    ['my.module.exports = handle;', false],
  ])('%j → %s', (code, expected) => {
    expect(exportsModuleFunction(code)).toBe(expected);
  });
});
