/**
 * A guardrail's policies as GetGuardrail returns them (botocore `bedrock` shapes GuardrailTopicPolicy,
 * GuardrailContentPolicy, GuardrailWordPolicy, GuardrailSensitiveInformationPolicy, ...): the
 * control plane stores them in this form, with every per-direction action and switch filled in,
 * and the evaluation reads them.
 */

export type Direction = 'input' | 'output';
export type BlockAction = 'BLOCK' | 'NONE';
export type PiiAction = 'BLOCK' | 'ANONYMIZE' | 'NONE';
export type Strength = 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH';

/** The per-direction members every policy entry has. */
export interface Directed<A extends string> {
  inputAction: A;
  outputAction: A;
  inputEnabled: boolean;
  outputEnabled: boolean;
}

export interface Topic extends Directed<BlockAction> {
  name: string;
  definition: string;
  examples: string[];
  type: 'DENY';
}

export interface ContentFilter extends Directed<BlockAction> {
  type: string;
  inputStrength: Strength;
  outputStrength: Strength;
  inputModalities: string[];
  outputModalities: string[];
}

export interface Word extends Directed<BlockAction> {
  text: string;
}

export interface ManagedWords extends Directed<BlockAction> {
  type: 'PROFANITY';
}

export interface PiiEntity extends Directed<PiiAction> {
  type: string;
  action: PiiAction;
}

export interface Regex extends Directed<PiiAction> {
  name: string;
  description?: string;
  pattern: string;
  action: PiiAction;
}

export interface GuardrailDefinition {
  name: string;
  description?: string;
  blockedInputMessaging: string;
  blockedOutputsMessaging: string;
  kmsKeyArn?: string;
  topicPolicy?: { topics: Topic[]; tier?: { tierName: string } };
  contentPolicy?: { filters: ContentFilter[]; tier?: { tierName: string } };
  wordPolicy?: { words?: Word[]; managedWordLists?: ManagedWords[] };
  sensitiveInformationPolicy?: { piiEntities?: PiiEntity[]; regexes?: Regex[] };
  /** Stored and returned; not evaluated (see docs/emulator-guardrails.md). */
  contextualGroundingPolicy?: {
    filters: Array<{ type: string; threshold: number; action: string; enabled: boolean }>;
  };
}

/**
 * The action an entry takes in a direction, or undefined when it is switched off there. `NONE`
 * still detects: the trace reports the match with action NONE, and nothing is blocked.
 */
export function actionIn<A extends string>(entry: Directed<A>, direction: Direction): A | undefined {
  const enabled = direction === 'input' ? entry.inputEnabled : entry.outputEnabled;
  return enabled ? (direction === 'input' ? entry.inputAction : entry.outputAction) : undefined;
}
