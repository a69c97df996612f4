/**
 * Prompt templates: Mustache over a row's columns (`Summarize in {{lang}}: {{text}}`).
 * Output is plain text, never HTML-escaped; object values render as JSON.
 * Variables are listed up front so a missing column is caught before anything is sent.
 */
import Mustache from 'mustache';

export interface Template {
  /** Top-level variables the template needs outside sections (sections may legitimately be absent). */
  readonly variables: readonly string[];
  render(row: Record<string, unknown>): string;
}

type Token = [string, string, number, number, Token[]?];

export function compileTemplate(source: string): Template {
  const tokens = Mustache.parse(source) as unknown as Token[];
  const variables = [
    ...new Set(tokens.filter(([kind]) => kind === 'name' || kind === '&').map(([, name]) => name)),
  ];
  return {
    variables,
    render: (row) => Mustache.render(source, row, {}, { escape: asText }),
  };
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The value a (possibly dotted) variable resolves to, or undefined when the row lacks it. */
export function lookup(row: Record<string, unknown>, name: string): unknown {
  if (name === '.') return row;
  let value: unknown = row;
  for (const part of name.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
