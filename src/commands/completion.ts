/**
 * `run-batch completion bash|zsh|fish`: a completion script written from the option tables, so a
 * new option completes as soon as it is in its table. Flags complete per command, choices after
 * their flag, files elsewhere.
 */
import { RunBatchError } from '../errors.js';
import type { Command, OptionDef } from '../job/option-def.js';
import { allOptions, COMMANDS } from './tables.js';

const SUBCOMMANDS = [...COMMANDS.map((c) => c.name).filter((n) => n !== 'run'), 'run', 'completion'];

export async function completionScript(shell: string): Promise<string> {
  const tables = await allOptions();
  if (shell === 'bash') return bash(tables);
  if (shell === 'zsh') return zsh(tables);
  if (shell === 'fish') return fish(tables);
  throw new RunBatchError('USAGE', `completion: no script for shell "${shell}"; choose bash, zsh or fish`);
}

const flagsOf = (defs: readonly OptionDef[]) =>
  defs.flatMap((d) => [
    `--${d.flag}`,
    ...(d.type === 'boolean' && d.default === true ? [`--no-${d.flag}`] : []),
  ]);

function bash(tables: Map<Command, readonly OptionDef[]>): string {
  const cases = [...tables].map(
    ([name, defs]) => `    ${name}) opts="${[...flagsOf(defs), '--help'].join(' ')}" ;;`,
  );
  // Choices per command: `--format` is not the same option in estimate and report.
  const choiceCases = [...tables].flatMap(([name, defs]) =>
    defs
      .filter((d) => d.choices)
      .map(
        (d) =>
          `    ${name}:--${d.flag}) COMPREPLY=($(compgen -W "${d.choices?.join(' ')}" -- "$cur")); return ;;`,
      ),
  );
  return `# run-batch completion for bash: source <(run-batch completion bash)
_run_batch() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd=run opts i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      estimate|report|emulator|run) cmd="\${COMP_WORDS[i]}"; break ;;
      completion) COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")); return ;;
    esac
  done
  case "$cmd:$prev" in
${choiceCases.join('\n')}
  esac
  case "$cmd" in
${cases.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${SUBCOMMANDS.join(' ')}" -- "$cur") $(compgen -f -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _run_batch run-batch
`;
}

/** zsh's _arguments spec: `--flag[help]:value:(a b)`, with brackets and colons escaped. */
function zshSpec(d: OptionDef): string[] {
  const help = d.describe
    .replace(/\\/g, '\\\\')
    .replace(/([[\]:'])/g, (c) => (c === "'" ? "'\\''" : `\\${c}`));
  const value =
    d.type === 'boolean'
      ? ''
      : `:${d.type}:${d.choices ? `(${d.choices.join(' ')})` : d.type === 'number' ? ' ' : '_files'}`;
  const names = [`--${d.flag}`, ...(d.alias ? [`-${d.alias}`] : [])];
  return names.map((n) => `'${d.type === 'list' ? '*' : ''}${n}[${help}]${value}'`);
}

function zsh(tables: Map<Command, readonly OptionDef[]>): string {
  const cases = [...tables].map(
    ([name, defs]) =>
      `    ${name}) _arguments -s ${defs.flatMap(zshSpec).join(' \\\n        ')} '*:file:_files' ;;`,
  );
  return `#compdef run-batch
# run-batch completion for zsh: source <(run-batch completion zsh)
_run_batch() {
  local cmd=run
  case $words[2] in
    estimate|report|emulator|run) cmd=$words[2]; shift words; (( CURRENT-- )) ;;
    completion) _values shell bash zsh fish; return ;;
  esac
  if [[ $cmd == run && CURRENT -eq 2 && $words[CURRENT] != -* ]]; then
    _alternative 'commands:command:(${SUBCOMMANDS.join(' ')})' 'files:file:_files'
    return
  fi
  case $cmd in
${cases.join('\n')}
  esac
}
compdef _run_batch run-batch
`;
}

function fish(tables: Map<Command, readonly OptionDef[]>): string {
  const others = SUBCOMMANDS.join(' ');
  const lines = [
    '# run-batch completion for fish: run-batch completion fish | source',
    'complete -c run-batch -f',
    `complete -c run-batch -n "not __fish_seen_subcommand_from ${others}" -a "${SUBCOMMANDS.join(' ')}"`,
    `complete -c run-batch -n "__fish_seen_subcommand_from completion" -a "bash zsh fish"`,
  ];
  const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  for (const [name, defs] of tables) {
    const when =
      name === 'run'
        ? `not __fish_seen_subcommand_from ${SUBCOMMANDS.filter((c) => c !== 'run').join(' ')}`
        : `__fish_seen_subcommand_from ${name}`;
    for (const d of defs) {
      const value = d.type === 'boolean' ? '' : d.choices ? ` -x -a ${quote(d.choices.join(' '))}` : ' -r -F';
      const short = d.alias ? ` -s ${d.alias}` : '';
      lines.push(`complete -c run-batch -n "${when}" -l ${d.flag}${short} -d ${quote(d.describe)}${value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
