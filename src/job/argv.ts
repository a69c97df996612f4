/**
 * The command line before and after the parser, where it would get a flag wrong: a value that
 * starts with "-" (`--shard -1/3` would be read as the flags -1, -/ and -3), and an unknown flag,
 * which gets the nearest known one as a suggestion (as a job file's unknown key does).
 */
import type { OptionDef } from './option-def.js';
import { closestKey } from './suggest.js';

/**
 * `--flag -x` becomes `--flag=-x` when --flag takes a value and `-x` is no known flag: the value
 * then reaches the option's check, which names the option and quotes it.
 */
export function glueDashValues(args: readonly string[], defs: readonly OptionDef[]): string[] {
  const known = new Set<string>();
  const takesValue = new Map<string, string>();
  for (const def of defs) {
    for (const name of [`--${def.flag}`, ...(def.alias ? [`-${def.alias}`] : [])]) {
      known.add(name);
      if (def.type !== 'boolean') takesValue.set(name, def.flag);
    }
    if (def.type === 'boolean') known.add(`--no-${def.flag}`);
  }
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const next = args[i + 1];
    const flag = takesValue.get(arg);
    if (flag && next?.startsWith('-') && next !== '--' && next !== '-' && !isKnown(next, known)) {
      out.push(`--${flag}=${next as string}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function isKnown(arg: string, known: ReadonlySet<string>): boolean {
  return known.has(arg.split('=')[0] as string) || arg === '-h' || arg === '--help' || arg === '--version';
}

/**
 * One line per unknown flag, with the nearest known flag of this command when one is close. The
 * parser reads `--no-x` as x = false, so a false value is named as the user typed it, `--no-x`.
 */
export function unknownFlags(
  names: readonly string[],
  defs: readonly OptionDef[],
  values: Readonly<Record<string, unknown>> = {},
): string {
  const flags = defs.map((def) => def.flag);
  return names
    .map((name) => {
      const negated = values[name] === false && name.length > 1;
      const dashed = name.length === 1 ? `-${name}` : `--${negated ? 'no-' : ''}${name}`;
      const alias = defs.find((def) => def.alias === name);
      const suggestion = name.length > 1 ? closestKey(name, flags) : undefined;
      const hint = alias ? undefined : suggestion;
      return `unknown option ${dashed}${hint ? ` (did you mean --${hint}?)` : ''}`;
    })
    .join('\n');
}
