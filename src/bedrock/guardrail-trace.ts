/**
 * Reads a guardrail's trace, in either of Bedrock's two shapes: Converse's `trace.guardrail`
 * (`inputAssessment` by guardrail id, `outputAssessments` by id as lists) and InvokeModel's
 * `amazon-bedrock-trace.guardrail` (`input` by id, `outputs` as a list of maps by id). Each
 * assessment holds one object per policy (`topicPolicy`, `contentPolicy`, `wordPolicy`,
 * `sensitiveInformationPolicy`, `contextualGroundingPolicy`, ...) with lists of what it found, and
 * `invocationMetrics.usage`, the text units billed per policy type. The findings are kept flat and
 * generic (policy, list, and the item as Bedrock wrote it), so a policy Bedrock adds later still shows.
 */
import type { GuardrailOutcome, GuardrailUnits } from '../types.js';

type Json = Record<string, unknown>;

const UNIT_FIELDS: ReadonlyArray<keyof GuardrailUnits> = [
  'topicPolicyUnits',
  'contentPolicyUnits',
  'wordPolicyUnits',
  'sensitiveInformationPolicyUnits',
  'sensitiveInformationPolicyFreeUnits',
  'contextualGroundingPolicyUnits',
  'contentPolicyImageUnits',
  'automatedReasoningPolicyUnits',
];

/** Keys of an assessment that are not a policy's findings. */
const NOT_POLICIES = new Set(['invocationMetrics', 'appliedGuardrailDetails']);

export function noUnits(): GuardrailUnits {
  return Object.fromEntries(UNIT_FIELDS.map((f) => [f, 0])) as unknown as GuardrailUnits;
}

/** The trace's findings, units and reason; undefined when it holds no guardrail assessment. */
export function readGuardrailTrace(
  guardrail: unknown,
): Pick<GuardrailOutcome, 'findings' | 'units' | 'reason'> | undefined {
  if (!isObject(guardrail)) return undefined;
  const assessed: Array<['input' | 'output', Json]> = [];
  for (const a of values(guardrail.inputAssessment ?? guardrail.input)) assessed.push(['input', a]);
  const outputs = guardrail.outputAssessments ?? guardrail.outputs;
  // Converse: lists by guardrail id; InvokeModel: a list of maps by guardrail id.
  const groups: unknown[] = Array.isArray(outputs)
    ? outputs
    : isObject(outputs)
      ? Object.values(outputs)
      : [];
  for (const group of groups) {
    for (const a of Array.isArray(group) ? group.filter(isObject) : values(group))
      assessed.push(['output', a]);
  }
  if (assessed.length === 0 && guardrail.actionReason === undefined) return undefined;
  const findings: Json[] = [];
  const units = noUnits();
  for (const [source, assessment] of assessed) {
    findings.push(...findingsOf(source, assessment));
    const usage = (assessment.invocationMetrics as Json | undefined)?.usage;
    if (isObject(usage))
      for (const field of UNIT_FIELDS) {
        const n = usage[field];
        if (typeof n === 'number' && Number.isFinite(n) && n > 0) units[field] += n;
      }
  }
  const reason = typeof guardrail.actionReason === 'string' ? guardrail.actionReason : undefined;
  return { findings, units, ...(reason === undefined ? {} : { reason }) };
}

function findingsOf(source: 'input' | 'output', assessment: Json): Json[] {
  const found: Json[] = [];
  for (const [key, policy] of Object.entries(assessment)) {
    if (NOT_POLICIES.has(key) || !isObject(policy)) continue;
    const name = key.replace(/Policy$/, '');
    for (const [list, items] of Object.entries(policy)) {
      if (!Array.isArray(items)) continue;
      for (const item of items) if (isObject(item)) found.push({ source, policy: name, list, ...item });
    }
  }
  return found;
}

/** A map's object values (by guardrail id), or nothing. */
function values(map: unknown): Json[] {
  return isObject(map) ? Object.values(map).filter(isObject) : [];
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `guardrail_trace`: the findings, the reason and the units (only the policies that counted any). */
export function traceText(outcome: GuardrailOutcome): string {
  const units = outcome.units
    ? Object.fromEntries(Object.entries(outcome.units).filter(([, n]) => (n as number) > 0))
    : undefined;
  return JSON.stringify({
    ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
    findings: outcome.findings ?? [],
    ...(units === undefined ? {} : { units }),
  });
}
