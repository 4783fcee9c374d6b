import type { Command } from 'commander';
import { CliError, EXIT } from '../exit-codes.js';
import type { CommandGroup } from '../program.js';
import { commandTree } from '../program.js';

type Tree = ReturnType<typeof commandTree>;

/** What follows each command path: its subcommands and options, keyed `''`, `'run'`, `'run logs'`. */
function nextWords(root: Command, tree: Tree): Map<string, string[]> {
  const words = new Map<string, string[]>([['', [...root.commands.map((child) => child.name()), ...root.options.map((option) => option.long ?? '')]]]);
  for (const node of tree) {
    const children = tree.filter((other) => other.path.length === node.path.length + 1 && other.path.slice(0, -1).join(' ') === node.path.join(' '));
    words.set(node.path.join(' '), [...children.map((child) => child.path.at(-1) as string), ...node.options, '--help']);
  }
  return words;
}

function bash(words: Map<string, string[]>): string {
  const cases = [...words].map(([path, next]) => `    "${path}") words="${next.join(' ')}" ;;`).join('\n');
  return `# trellis completion for bash: add \`source <(trellis completion bash)\` to ~/.bashrc
_trellis() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" word words
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    [[ "$word" == -* ]] && continue
    case "$path" in "") candidate="$word" ;; *) candidate="$path $word" ;; esac
    __trellis_words "$candidate" && [[ -n "$words" ]] && path="$candidate"
  done
  __trellis_words "$path"
  COMPREPLY=( $(compgen -W "$words" -- "$cur") )
}
__trellis_words() {
  words=""
  case "$1" in
${cases}
    *) return 1 ;;
  esac
}
complete -o default -F _trellis trellis
`;
}

function zsh(words: Map<string, string[]>): string {
  return `#compdef trellis
# trellis completion for zsh: add \`source <(trellis completion zsh)\` to ~/.zshrc (after compinit)
autoload -U bashcompinit && bashcompinit
${bash(words).split('\n').filter((line) => !line.startsWith('#')).join('\n')}`;
}

function fish(words: Map<string, string[]>): string {
  const lines = ['# trellis completion for fish: trellis completion fish > ~/.config/fish/completions/trellis.fish', 'complete -c trellis -f'];
  for (const [path, next] of words) {
    const condition = path === '' ? '__fish_use_subcommand' : `__fish_seen_subcommand_from ${path.split(' ').at(-1)}`;
    for (const word of next) {
      lines.push(word.startsWith('--')
        ? `complete -c trellis -n '${condition}' -l ${word.slice(2)}`
        : `complete -c trellis -n '${condition}' -a ${word}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export const registerCompletionCommand: CommandGroup = (program) => {
  program.command('completion <shell>').description('print the completion script for bash, zsh or fish')
    .action((shell: string) => {
      const words = nextWords(program, commandTree(program));
      const scripts: Record<string, (w: Map<string, string[]>) => string> = { bash, zsh, fish };
      const make = scripts[shell];
      if (!make) throw new CliError('usage', `no completion for "${shell}"`, { exitCode: EXIT.usage, hint: 'choose bash, zsh or fish' });
      process.stdout.write(make(words));
    });
};
