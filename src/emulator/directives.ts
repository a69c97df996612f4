/**
 * Scripted behaviour written into the prompt text, for tests: `[[emulator:throttle=2]]`,
 * `[[emulator:error=AccessDeniedException]]`, `[[emulator:fail=1:InternalServerException]]`,
 * `[[emulator:latency=250]]`, `[[emulator:tokens=40]]`, `[[emulator:midstream=ModelStreamErrorException]]`.
 */
import { type ExceptionName, isExceptionName } from './exceptions.js';

export interface Directives {
  throttle?: number;
  error?: ExceptionName;
  fail?: { times: number; exception: ExceptionName };
  latencyMs?: number;
  tokens?: number;
  midstream?: ExceptionName;
}

const PATTERN = /\[\[emulator:([a-z]+)=([^\]]*)\]\]/g;

export function parseDirectives(texts: readonly string[]): Directives {
  const found: Directives = {};
  for (const text of texts) {
    for (const [, key, value = ''] of text.matchAll(PATTERN)) {
      switch (key) {
        case 'throttle':
          found.throttle = wholeNumber(value) ?? found.throttle;
          break;
        case 'error':
          if (isExceptionName(value)) found.error = value;
          break;
        case 'fail': {
          const [times, name = 'InternalServerException'] = value.split(':');
          const n = wholeNumber(times ?? '');
          if (n !== undefined && isExceptionName(name)) found.fail = { times: n, exception: name };
          break;
        }
        case 'latency':
          found.latencyMs = wholeNumber(value) ?? found.latencyMs;
          break;
        case 'tokens':
          found.tokens = wholeNumber(value) ?? found.tokens;
          break;
        case 'midstream':
          if (isExceptionName(value)) found.midstream = value;
          break;
      }
    }
  }
  return found;
}

function wholeNumber(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}
