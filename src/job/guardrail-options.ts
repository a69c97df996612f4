/**
 * Bedrock Guardrails on every call (`--guardrail ID[:VERSION]`, `--guardrail-trace`): their entries
 * in the run table, the check of the identifier as Bedrock checks it (botocore's
 * `GuardrailIdentifier` and `GuardrailVersion` patterns), and what a guardrail rules out in batch
 * mode. Bedrock Batch Inference cannot apply one: CreateModelInvocationJob (botocore `bedrock`
 * 2023-04-20) has no guardrail member and a record's body carries none, so `--mode batch` with a
 * guardrail is refused and `--mode auto` runs on demand.
 */
import type { OptionDef } from './option-def.js';
import type { BatchOptions, GuardrailName, GuardrailTrace, RunKey } from './spec.js';
import { OptionValueError, oneOf, text } from './values.js';

export type { GuardrailName, GuardrailTrace } from './spec.js';
export const GUARDRAIL_TRACES: readonly GuardrailTrace[] = ['enabled', 'enabled_full', 'disabled'];

// botocore bedrock-runtime 2023-09-30: GuardrailIdentifier (max 2048) and GuardrailVersion.
const ID = /^(?:[a-z0-9]+|arn:aws(?:-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:guardrail\/[a-z0-9]+)$/;
const VERSION = /^(?:[1-9][0-9]{0,7}|DRAFT)$/;

/** `ID`, `ID:VERSION`, `ARN` or `ARN:VERSION`: the version is what follows the last colon, if it is one. */
export function parseGuardrail(flag: string, value: unknown): GuardrailName {
  const raw = text(flag, value);
  const at = raw.lastIndexOf(':');
  const tail = at < 0 ? '' : raw.slice(at + 1);
  const named = at >= 0 && (VERSION.test(tail) || !raw.slice(at).includes('/'));
  const id = named ? raw.slice(0, at) : raw;
  const version = named ? tail : 'DRAFT';
  if (!ID.test(id) || id.length > 2048)
    throw new OptionValueError(
      flag,
      `must be a guardrail id (lower-case letters and digits) or guardrail ARN, optionally with :VERSION, got ${JSON.stringify(raw)}`,
    );
  if (!VERSION.test(version))
    throw new OptionValueError(
      flag,
      `version must be DRAFT or a number from 1 to 99999999, got ${JSON.stringify(version)} in ${JSON.stringify(raw)}`,
    );
  return { id, version };
}

const BOTH = ['run', 'estimate'] as const;

export const GUARDRAIL_OPTIONS: readonly OptionDef<RunKey>[] = [
  {
    flag: 'guardrail',
    key: 'guardrail',
    type: 'string',
    parse: parseGuardrail,
    group: 'Model',
    commands: BOTH,
    describe:
      'Apply this Bedrock guardrail (ID or ARN, :VERSION, DRAFT when none) to every call; checked with GetGuardrail before any row is sent. Not with --mode batch (Batch Inference applies no guardrail)',
  },
  {
    flag: 'guardrail-trace',
    key: 'guardrailTrace',
    type: 'string',
    choices: GUARDRAIL_TRACES,
    parse: (flag, value) => oneOf(flag, value, GUARDRAIL_TRACES),
    default: 'disabled',
    group: 'Model',
    commands: BOTH,
    describe:
      "The guardrail's trace written as guardrail_trace (its text units are priced into cost_usd either way: run-batch always asks Bedrock for the trace, and writes it only when told)",
  },
];

/** `--mode batch` with a guardrail is refused; `auto` runs on demand (said by `guardrailModeNote`). */
export function guardrailModeProblems(
  batch: Pick<BatchOptions, 'mode' | 'cancel'>,
  guardrail: GuardrailName | undefined,
): OptionValueError[] {
  if (guardrail === undefined || batch.mode !== 'batch' || batch.cancel) return [];
  return [
    new OptionValueError(
      'mode',
      'batch cannot apply --guardrail: Bedrock Batch Inference has no guardrail setting (CreateModelInvocationJob takes none), so its answers would be unguarded; use --mode ondemand (or auto, which then runs on demand)',
    ),
  ];
}

/** What `--mode auto` does with a guardrail, for the plan's output; undefined when it changes nothing. */
export function guardrailModeNote(mode: BatchOptions['mode'], guardrail: GuardrailName | undefined) {
  if (guardrail === undefined || mode !== 'auto') return undefined;
  return '--mode auto runs on demand: --guardrail cannot be applied by Bedrock Batch Inference';
}
