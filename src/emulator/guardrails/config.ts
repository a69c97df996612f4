/**
 * Which guardrail a runtime call names: Converse's and ConverseStream's `guardrailConfig`
 * (botocore `bedrock-runtime` GuardrailConfiguration / GuardrailStreamConfiguration) or
 * InvokeModel's headers (X-Amzn-Bedrock-GuardrailIdentifier, -GuardrailVersion, -Trace). A named
 * guardrail the store does not have is refused (store.ts `find`), never ignored; so is half a pair.
 */
import { isObject, Violations } from '../wire/validate.js';
import type { Guardrail, GuardrailStore, GuardrailVersion } from './store.js';

export type TraceMode = 'enabled' | 'disabled' | 'enabled_full';

export interface GuardrailCall {
  guardrail: Guardrail;
  version: GuardrailVersion;
  trace: TraceMode;
}

// The runtime model's patterns (they allow the empty string, which names no guardrail).
const IDENTIFIER = '(|([a-z0-9]+)|(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail/[a-z0-9]+))';
const VERSION = '(|([1-9][0-9]{0,7})|(DRAFT))';
const TRACES = ['enabled', 'disabled', 'enabled_full'];

/** The identifier and version, both required once either is given; violations thrown with the rest. */
function pair(
  v: Violations,
  paths: [string, string],
  identifier: unknown,
  version: unknown,
): [string, string] {
  const check = (path: string, value: unknown, pattern: string, max: number) => {
    if (value === undefined || value === '') v.add(path, null, 'Member must not be null');
    else if (typeof value !== 'string') v.add(path, value, 'Member must be a string');
    else if (value.length > max || !new RegExp(`^(?:${pattern})$`).test(value))
      v.add(path, value, `Member must satisfy regular expression pattern: ${pattern}`);
  };
  check(paths[0], identifier, IDENTIFIER, 2048);
  check(paths[1], version, VERSION, 5);
  v.throwIfAny();
  return [identifier as string, version as string];
}

/** Converse's `guardrailConfig`, when the request has one. */
export function converseGuardrail(
  request: unknown,
  store: GuardrailStore,
  streaming: boolean,
): GuardrailCall | undefined {
  const config = isObject(request) ? request.guardrailConfig : undefined;
  if (config === undefined || config === null) return undefined;
  const v = new Violations();
  if (!isObject(config)) {
    v.add('guardrailConfig', config, 'Member must be a structure');
    v.throwIfAny();
  }
  const { guardrailIdentifier, guardrailVersion, trace, streamProcessingMode } = config as Record<
    string,
    unknown
  >;
  if (trace !== undefined && !TRACES.includes(trace as string))
    v.add('guardrailConfig.trace', trace, `Member must satisfy enum value set: [${TRACES.join(', ')}]`);
  if (
    streaming &&
    streamProcessingMode !== undefined &&
    !['sync', 'async'].includes(streamProcessingMode as string)
  )
    v.add(
      'guardrailConfig.streamProcessingMode',
      streamProcessingMode,
      'Member must satisfy enum value set: [sync, async]',
    );
  const paths: [string, string] = ['guardrailConfig.guardrailIdentifier', 'guardrailConfig.guardrailVersion'];
  const [identifier, version] = pair(v, paths, guardrailIdentifier, guardrailVersion);
  return { ...store.find(identifier, version), trace: (trace as TraceMode | undefined) ?? 'disabled' };
}

/** InvokeModel's guardrail headers, when the request has any. */
export function invokeGuardrail(
  header: (name: string) => string | undefined,
  store: GuardrailStore,
): GuardrailCall | undefined {
  const identifier = header('x-amzn-bedrock-guardrailidentifier');
  const version = header('x-amzn-bedrock-guardrailversion');
  const trace = header('x-amzn-bedrock-trace');
  const v = new Violations();
  if (trace !== undefined && !['ENABLED', 'DISABLED', 'ENABLED_FULL'].includes(trace))
    v.add('trace', trace, 'Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_FULL]');
  if (identifier === undefined && version === undefined) {
    v.throwIfAny();
    return undefined;
  }
  const [id, numbered] = pair(v, ['guardrailIdentifier', 'guardrailVersion'], identifier, version);
  const mode = (trace?.toLowerCase() as TraceMode | undefined) ?? 'disabled';
  return { ...store.find(id, numbered), trace: mode };
}

/**
 * The texts a Converse guardrail judges in the prompt: the `guardContent` blocks when the request
 * marks any (in messages or system), otherwise the text of every message (not the system prompt).
 */
export function guardedTexts(request: unknown): string[] {
  const messages = isObject(request) && Array.isArray(request.messages) ? request.messages : [];
  const system = isObject(request) && Array.isArray(request.system) ? request.system : [];
  const blocks = [
    ...system.map((block) => ({ block, inMessage: false })),
    ...messages.flatMap((message) =>
      (isObject(message) && Array.isArray(message.content) ? message.content : []).map((block) => ({
        block,
        inMessage: true,
      })),
    ),
  ];
  const guarded = blocks.flatMap(({ block }) =>
    isObject(block) && isObject(block.guardContent) && isObject(block.guardContent.text)
      ? [String(block.guardContent.text.text ?? '')]
      : [],
  );
  if (guarded.length > 0) return guarded;
  return blocks.flatMap(({ block, inMessage }) =>
    inMessage && isObject(block) && typeof block.text === 'string' ? [block.text] : [],
  );
}
