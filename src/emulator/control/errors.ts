/**
 * The control plane's errors as botocore's `bedrock` model declares them (restJson1): the type in
 * `x-amzn-ErrorType`, the body `{"message": ...}`. Kept apart from the runtime's exception table,
 * as the control plane has its own set (ConflictException) and statuses.
 */
import { randomUUID } from 'node:crypto';
import { type Response, sendJson } from '../wire/http.js';

/** HTTP status per exception, from the model's `error.httpStatusCode`. */
export const CONTROL_EXCEPTIONS = {
  ValidationException: 400,
  ConflictException: 400,
  ServiceQuotaExceededException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ThrottlingException: 429,
  InternalServerException: 500,
} as const;

export type ControlException = keyof typeof CONTROL_EXCEPTIONS;

export class ControlError extends Error {
  constructor(
    readonly exception: ControlException,
    message: string,
  ) {
    super(message);
  }
}

export function sendControlError(res: Response, error: ControlError, requestId = randomUUID()): void {
  sendJson(res, CONTROL_EXCEPTIONS[error.exception], { message: error.message }, requestId, {
    'x-amzn-errortype': `${error.exception}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
  });
}

/**
 * Constraint violations worded as AWS's front door words them: `1 validation error detected:
 * Value 'a b' at 'jobName' failed to satisfy constraint: Member must satisfy regular expression
 * pattern: ...`. All of a request's violations are reported at once.
 */
export class Violations {
  private readonly items: string[] = [];

  add(path: string, value: unknown, constraint: string): void {
    const shown =
      value === undefined || value === null
        ? 'null'
        : `'${typeof value === 'string' ? value : JSON.stringify(value)}'`;
    this.items.push(`Value ${shown} at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  /** A string member: required or not, its length bounds and its (anchored) pattern. */
  text(
    path: string,
    value: unknown,
    rule: { required?: boolean; min?: number; max?: number; pattern?: string },
  ): void {
    if (value === undefined || value === null) {
      if (rule.required) this.add(path, null, 'Member must not be null');
      return;
    }
    if (typeof value !== 'string') {
      this.add(path, value, 'Member must be a string');
      return;
    }
    if (rule.min !== undefined && value.length < rule.min)
      this.add(path, value, `Member must have length greater than or equal to ${rule.min}`);
    else if (rule.max !== undefined && value.length > rule.max)
      this.add(path, value, `Member must have length less than or equal to ${rule.max}`);
    // botocore strips the model's ^...$ anchors; the service matches the whole value.
    else if (rule.pattern !== undefined && !new RegExp(`^(?:${rule.pattern})$`).test(value))
      this.add(path, value, `Member must satisfy regular expression pattern: ${rule.pattern}`);
  }

  oneOf(path: string, value: unknown, allowed: readonly string[]): void {
    if (value === undefined || value === null) return;
    if (typeof value !== 'string' || !allowed.includes(value))
      this.add(path, value, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }

  integer(path: string, value: unknown, min: number, max: number): void {
    if (value === undefined || value === null) return;
    if (typeof value !== 'number' || !Number.isInteger(value))
      this.add(path, value, 'Member must be an integer');
    else if (value < min) this.add(path, value, `Member must have value greater than or equal to ${min}`);
    else if (value > max) this.add(path, value, `Member must have value less than or equal to ${max}`);
  }

  throwIfAny(): void {
    const n = this.items.length;
    if (n === 0) return;
    throw new ControlError(
      'ValidationException',
      `${n} validation error${n === 1 ? '' : 's'} detected: ${this.items.join('; ')}`,
    );
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A path and method the control plane has no operation for, as Bedrock's front door answers it. */
export function sendUnknownOperation(res: Response, method: string, path: string, requestId: string): void {
  sendJson(res, 404, { message: `No operation at ${method} ${path}` }, requestId, {
    'x-amzn-errortype': 'UnknownOperationException:http://internal.amazon.com/coral/com.amazon.bedrock/',
  });
}

/** A handler's error as the control plane answers it: its own, or an internal error. */
export function sendCaught(res: Response, error: unknown, requestId: ReturnType<typeof randomUUID>): void {
  const known =
    error instanceof ControlError
      ? error
      : new ControlError('InternalServerException', 'Internal server error.');
  sendControlError(res, known, requestId);
}

/** A control-plane request's JSON body (empty: `{}`); anything but an object is a ValidationException. */
export function jsonBody(body: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    if (isObject(parsed)) return parsed;
  } catch {}
  throw new ControlError('ValidationException', 'The request body is not valid JSON.');
}

/** A path label (an id or an ARN) as the client URL-encoded it; malformed escapes are taken as given. */
export function decodeLabel(label: string): string {
  try {
    return decodeURIComponent(label);
  } catch {
    return label;
  }
}
