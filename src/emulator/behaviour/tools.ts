/**
 * Tool use, the parts shared by every codec: the tool definitions a request carries, the choice
 * it asks for, and which tool the emulated model calls.
 *
 * The rule, deterministic and documented in the README: `any` calls the first tool; `tool` calls
 * the named one; `none` calls none; `auto` (or no choice) calls the first tool, in list order,
 * whose name appears in the last user message's text (case-insensitive), unless that turn returns
 * tool results, which are answered in text.
 */
import { EmulatedError } from '../wire/exceptions.js';

export interface ToolDef {
  name: string;
  schema: unknown;
}

export type ToolChoice = 'auto' | 'any' | 'none' | { name: string };

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Converse's `toolConfig.tools[].toolSpec.name` pattern; the wording is Bedrock's constraint form. */
export function checkToolName(name: unknown, path: string): string {
  if (typeof name !== 'string' || !TOOL_NAME.test(name)) {
    throw new EmulatedError(
      'ValidationException',
      `1 validation error detected: Value '${String(name)}' at '${path}' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+`,
    );
  }
  return name;
}

export function chooseTool(request: {
  tools?: ToolDef[];
  toolChoice?: ToolChoice;
  lastUserText?: string;
  afterToolResult?: boolean;
}): ToolDef | undefined {
  const tools = request.tools ?? [];
  if (tools.length === 0) return undefined;
  const choice = request.toolChoice ?? 'auto';
  if (choice === 'none') return undefined;
  if (choice === 'any') return tools[0];
  if (typeof choice === 'object') return tools.find((t) => t.name === choice.name);
  if (request.afterToolResult) return undefined;
  const text = (request.lastUserText ?? '').toLowerCase();
  return tools.find((t) => text.includes(t.name.toLowerCase()));
}

/** A forced tool must be one of the tools (the wording is the emulator's). */
export function checkChoice(tools: ToolDef[], choice: ToolChoice | undefined): void {
  if (choice && typeof choice === 'object' && !tools.some((t) => t.name === choice.name)) {
    throw new EmulatedError(
      'ValidationException',
      `The tool ${choice.name} named in the tool choice is not one of the tools in the request.`,
    );
  }
}

export const TOOLCONFIG_REQUIRED =
  'The toolConfig field must be defined when using toolUse and toolResult content blocks.';
