/**
 * How an option reads in --help, the man page, completion and docs/options.md: its type, its
 * default as a user would write it, its choices. Derived from the table entry, so no two of those
 * can say different things.
 */
import type { OptionDef } from './option-def.js';

/** `number`, `string`, `boolean`, or `list` (a repeatable flag; a list in a job file). */
export function typeText(def: OptionDef): string {
  return def.type;
}

/** The default as written on the command line, or what decides it; undefined when there is none. */
export function defaultText(def: OptionDef): string | undefined {
  const value = def.default;
  const plain =
    value === undefined || value === false || (Array.isArray(value) && value.length === 0)
      ? undefined
      : Array.isArray(value)
        ? value.join(', ')
        : String(value);
  if (def.defaultDescription !== undefined) return def.defaultDescription;
  if (def.env && def.env.length > 0) return [...def.env, ...(plain ? [plain] : [])].join(', else ');
  return plain;
}

/** `--flag`, `-a, --flag`; `--[no-]flag` for a boolean that is on by default. */
export function flagText(def: OptionDef): string {
  const long = def.type === 'boolean' && def.default === true ? `--[no-]${def.flag}` : `--${def.flag}`;
  return def.alias ? `-${def.alias}, ${long}` : long;
}

/** What the value looks like after the flag: `<number>`, `<converse|invoke>`; nothing for a boolean. */
export function valueText(def: OptionDef): string {
  if (def.type === 'boolean') return '';
  if (def.choices) return `<${def.choices.join('|')}>`;
  return `<${def.type === 'list' ? 'string' : def.type}>`;
}
