/**
 * `additionalModelResponseFieldPaths`: JSON Pointers (RFC 6901) into the model's native response,
 * whose values Converse returns as `additionalModelResponseFields` (ConverseStream: in
 * `messageStop`). botocore's ConverseRequest documentation: an empty or badly formed pointer is a
 * 400; a valid pointer to a field the response does not have is ignored. The emulated native
 * response fields are Anthropic's `stop_sequence` (the matched stop sequence or null), the field
 * the documentation's example asks for; other families' pointers find nothing and are ignored.
 */
import type { Planned } from '../behaviour/generation.js';
import { EmulatedError } from '../wire/exceptions.js';
import type { Violations } from '../wire/validate.js';

const PATHS = 'additionalModelResponseFieldPaths';

/** The list's model constraints (0..10 members, each 1..256 characters); returns the list. */
export function checkResponseFieldPaths(v: Violations, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((p) => typeof p !== 'string')) {
    v.add(PATHS, value, 'Member must be a list of strings');
    return undefined;
  }
  const shown = `[${value.join(', ')}]`;
  if (value.length > 10) v.add(PATHS, shown, 'Member must have length less than or equal to 10');
  if (value.some((p: string) => p.length < 1 || p.length > 256))
    v.add(
      PATHS,
      shown,
      'Member must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 1]',
    );
  return value as string[];
}

/** A pointer must start with `/`, and `~` may only be escaped as `~0` or `~1` (emulator's wording). */
export function checkPointers(paths: string[]): void {
  for (const path of paths)
    if (!path.startsWith('/') || /~(?![01])/.test(path))
      throw new EmulatedError(
        'ValidationException',
        `The ${PATHS} field contains an invalid JSON Pointer: ${path}. Use JSON Pointer syntax (RFC 6901), such as /stop_sequence, and try again.`,
      );
}

/** `{additionalModelResponseFields}` for a response, or nothing when no pointer found a field. */
export function additionalFields(planned: Planned): Record<string, unknown> {
  const paths = planned.responseFieldPaths;
  if (!paths || paths.length === 0) return {};
  const native: Record<string, unknown> = { stop_sequence: planned.reply.stopSequence };
  const found: Record<string, unknown> = {};
  for (const path of paths) {
    const tokens = path
      .slice(1)
      .split('/')
      .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    let node: unknown = native;
    for (const token of tokens) node = isRecord(node) && token in node ? node[token] : undefined;
    if (node !== undefined) place(found, tokens, node);
  }
  return Object.keys(found).length === 0 ? {} : { additionalModelResponseFields: found };
}

/** Sets `value` at the pointer's place in `into`, building the objects on the way. */
function place(into: Record<string, unknown>, tokens: string[], value: unknown): void {
  let node = into;
  for (const token of tokens.slice(0, -1)) {
    if (!isRecord(node[token])) node[token] = {};
    node = node[token] as Record<string, unknown>;
  }
  node[tokens[tokens.length - 1] as string] = value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
