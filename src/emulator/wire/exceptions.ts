/**
 * Bedrock Runtime's exceptions as they appear on the wire:
 * the HTTP status, and the message the service uses where one is known.
 */

export const EXCEPTIONS = {
  ValidationException: {
    status: 400,
    message: 'Malformed input request, please reformat your input and try again.',
  },
  ServiceQuotaExceededException: {
    status: 400,
    message: 'Your request exceeds the service quota for your account.',
  },
  AccessDeniedException: {
    status: 403,
    message: "You don't have access to the model with the specified model ID.",
  },
  ResourceNotFoundException: { status: 404, message: 'The requested resource could not be found.' },
  ModelTimeoutException: {
    status: 408,
    message: 'Model has timed out in processing the request. Try your request again.',
  },
  ModelErrorException: { status: 424, message: 'The model returned an error.' },
  ModelStreamErrorException: { status: 424, message: 'The model stream returned an error.' },
  ThrottlingException: { status: 429, message: 'Too many requests, please wait before trying again.' },
  ModelNotReadyException: {
    status: 429,
    message: 'Model is not ready to serve inference requests. Try again later.',
  },
  InternalServerException: {
    status: 500,
    message: 'The server encountered an internal error while processing the request.',
  },
  ServiceUnavailableException: { status: 503, message: 'Bedrock is unable to process your request.' },
} as const;

export type ExceptionName = keyof typeof EXCEPTIONS;

export function isExceptionName(name: string): name is ExceptionName {
  return Object.hasOwn(EXCEPTIONS, name);
}

/**
 * A failure the handlers throw; the server turns it into Bedrock's error response. `cause` says
 * how stats count it: a quota or scripted throttle, an injected fault, or (unset) a plain error.
 */
export class EmulatedError extends Error {
  constructor(
    readonly exception: ExceptionName,
    message?: string,
    readonly counted?: 'throttle' | 'fault',
  ) {
    super(message ?? EXCEPTIONS[exception].message);
  }

  get status(): number {
    return EXCEPTIONS[this.exception].status;
  }
}

export const INVALID_MODEL = 'The provided model identifier is invalid.';
export const TOO_MANY_REQUESTS = 'Too many requests, please wait before trying again.';
export const TOO_MANY_TOKENS = 'Too many tokens, please wait before trying again.';

/** The member name of an exception in a stream union: `ThrottlingException` -> `throttlingException`. */
export function streamExceptionType(name: ExceptionName): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
