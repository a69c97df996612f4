/**
 * Prompt templates: Mustache over a row's columns (`Summarize in {{lang}}: {{text}}`).
 * Output is plain text, never HTML-escaped; object values render as JSON.
 * Variables and top-level sections are listed up front so a missing column is caught before
 * anything is sent; a syntax error or a partial is a problem worded for the user (`templateProblem`).
 */
import Mustache from 'mustache';
import { RunBatchError } from '../errors.js';

export interface Template {
  /**
   * Top-level names the template needs: variables and sections (`{{#urgent}}`, `{{^urgent}}`)
   * outside any section. Names inside a section belong to the section's context and are not listed.
   */
  readonly variables: readonly string[];
  render(row: Record<string, unknown>): string;
}

type Token = [string, string, number, number, Token[]?];

const NEEDS_A_VALUE = new Set(['name', '&', '#', '^']);

export function compileTemplate(source: string): Template {
  const problem = templateProblem(source);
  if (problem !== undefined) throw new RunBatchError('USAGE', `--template: ${problem}`);
  const tokens = Mustache.parse(source) as unknown as Token[];
  const variables = [...new Set(tokens.filter(([kind]) => NEEDS_A_VALUE.has(kind)).map(([, name]) => name))];
  return {
    variables,
    render: (row) => Mustache.render(source, row, {}, { escape: asText }),
  };
}

/**
 * What is wrong with a template, in words (`unclosed tag "{{name}" at character 3`), or undefined.
 * Mustache's own errors are bare ("Unclosed tag at 10"); partials are refused because a row has
 * none to give, and Mustache would render `{{> header}}` as nothing without a word.
 */
export function templateProblem(source: string): string | undefined {
  let tokens: Token[];
  try {
    tokens = Mustache.parse(source) as unknown as Token[];
  } catch (error) {
    return describeSyntax((error as Error).message, source);
  }
  const partial = findToken(tokens, '>');
  if (partial !== undefined)
    return `partials ({{> ${partial[1]}}}) are not supported: write the text into the template`;
  return undefined;
}

function findToken(tokens: readonly Token[], kind: string): Token | undefined {
  for (const token of tokens) {
    if (token[0] === kind) return token;
    const inner = token[4] ? findToken(token[4], kind) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

function describeSyntax(message: string, source: string): string {
  const at = Number(/at (\d+)$/.exec(message)?.[1] ?? Number.NaN);
  let match = /^Unclosed tag/.exec(message);
  if (match) {
    // Mustache reports where it gave up looking (often the end); the tag began at the last "{{".
    const open = source.lastIndexOf('{{', Number.isNaN(at) ? source.length : at);
    const tag = open >= 0 ? ` ${JSON.stringify(source.slice(open, open + 30))} at character ${open + 1}` : '';
    return `unclosed tag${tag}: a tag opened with {{ needs its }}`;
  }
  match = /^Unclosed section "([^"]*)"/.exec(message);
  if (match) return `section {{#${match[1]}}} is never closed: add {{/${match[1]}}}`;
  match = /^Unopened section "([^"]*)"/.exec(message);
  if (match) return `{{/${match[1]}}} closes a section that was never opened`;
  return `not a valid Mustache template: ${message}`;
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
