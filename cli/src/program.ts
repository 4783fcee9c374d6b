import { Command, Option } from 'commander';
import { registerActionCommands } from './commands/action.js';
import { registerAuthCommands } from './commands/auth.js';
import { registerCompletionCommand } from './commands/completion.js';
import { registerProjectCommands } from './commands/project.js';
import { registerRepoCommands } from './commands/repo.js';
import { registerRunCommands } from './commands/run.js';
import { registerValueCommands } from './commands/values.js';
import { registerWorkflowCommands } from './commands/workflow.js';
import type { GlobalOptions } from './session.js';

export type CommandGroup = (program: Command, globals: () => GlobalOptions) => void;

/** Adds --json to a command: it prints the API's JSON instead of a table. */
export function withJson(command: Command): Command {
  return command.option('--json', 'print the API\'s JSON (for scripts)');
}

/** Every command group; each lives in commands/ and knows only the SDK and the CLI's helpers. */
const groups: CommandGroup[] = [registerAuthCommands, registerCompletionCommand, registerRepoCommands, registerActionCommands, registerProjectCommands, registerValueCommands, registerWorkflowCommands, registerRunCommands];

export const VERSION = '0.1.0';

export function makeProgram(): Command {
  const program = new Command('trellis')
    .description('The Trellis command line: repositories, actions, workflows and runs from your terminal.')
    .option('--context <name>', 'the saved context to use (default: the current one, or TRELLIS_CONTEXT)')
    .option('--url <url>', 'the Trellis URL, overriding the context (or TRELLIS_URL)')
    .addOption(new Option('--no-color', 'no colours (also NO_COLOR=1, or when the output is not a terminal)'))
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  for (const register of groups) register(program, globals);
  return program;
}

/** The commands as `trellis completion` lists them: each path with its options. */
export function commandTree(command: Command, prefix: string[] = []): { path: string[]; options: string[] }[] {
  return command.commands.flatMap((child) => {
    const path = [...prefix, child.name()];
    return [{ path, options: child.options.map((option) => option.long ?? option.short ?? '').filter(Boolean) }, ...commandTree(child, path)];
  });
}
