/**
 * A command's option table as yargs options. Values stay raw (numbers are not typed for yargs, so
 * `007` and `0x10` reach the check as typed); --help still says `[number]`, and shows defaults
 * as a user writes them, unquoted. Choices are checked by the table, with every other value, so
 * yargs is not told them (it would stop at the first).
 */
import type { Options } from 'yargs';
import { defaultText } from '../job/describe.js';
import type { OptionDef } from '../job/option-def.js';

export function yargsOptions(defs: readonly OptionDef[]): Record<string, Options> {
  const options: Record<string, Options> = {};
  for (const def of defs) {
    const choices = def.choices ? ` [choices: ${def.choices.map((c) => JSON.stringify(c)).join(', ')}]` : '';
    const shown = defaultText(def);
    options[def.flag] = {
      describe: def.type === 'boolean' ? def.describe : `${def.describe} [${def.type}]${choices}`,
      group: `${def.group}:`,
      ...(def.type === 'boolean' ? { type: 'boolean' } : {}),
      ...(def.alias ? { alias: def.alias } : {}),
      ...(shown !== undefined ? { defaultDescription: shown } : {}),
    };
  }
  return options;
}
