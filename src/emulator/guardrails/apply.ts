/**
 * ApplyGuardrail on the runtime (botocore `bedrock-runtime`): POST
 * /guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply with `source` (INPUT|OUTPUT)
 * and `content` ([{text: {text}}]), answering `action` (NONE|GUARDRAIL_INTERVENED), `outputs` (the
 * blocked message, or the masked texts), `assessments`, `usage` and `guardrailCoverage`. Content
 * filters fire on `[[emulator:guardrail=TYPE]]` directives in the texts, whichever the source.
 */
import { randomUUID } from 'node:crypto';
import { parseDirectives } from '../behaviour/directives.js';
import { EmulatedError } from '../wire/exceptions.js';
import { type Request, type Response, readBody, sendError, sendJson } from '../wire/http.js';
import { isObject, parseJson, Violations } from '../wire/validate.js';
import { type Evaluation, evaluate } from './evaluate.js';
import { appliedDetails, type GuardrailStore } from './store.js';

export const APPLY_ROUTE = /^\/guardrail\/([^/]+)\/version\/([^/]+)\/apply$/;

export async function handleApplyGuardrail(
  req: Request,
  res: Response,
  match: RegExpExecArray,
  store: GuardrailStore,
  count: (evaluation: Evaluation) => void,
): Promise<void> {
  const requestId = randomUUID();
  try {
    const request = parseJson(await readBody(req));
    const v = new Violations();
    const { source, content, outputScope } = isObject(request) ? request : ({} as Record<string, unknown>);
    if (source === undefined) v.add('source', null, 'Member must not be null');
    else if (source !== 'INPUT' && source !== 'OUTPUT')
      v.add('source', source, 'Member must satisfy enum value set: [INPUT, OUTPUT]');
    if (!Array.isArray(content)) v.add('content', content ?? null, 'Member must not be null');
    if (outputScope !== undefined && outputScope !== 'INTERVENTIONS' && outputScope !== 'FULL')
      v.add('outputScope', outputScope, 'Member must satisfy enum value set: [INTERVENTIONS, FULL]');
    v.throwIfAny();
    const texts: string[] = [];
    for (const [i, block] of (content as unknown[]).entries()) {
      const text = isObject(block) && isObject(block.text) ? block.text.text : undefined;
      if (typeof text === 'string') texts.push(text);
      else if (!(isObject(block) && isObject(block.image)))
        v.add(`content.${i + 1}.member.text.text`, null, 'Member must not be null');
    }
    v.throwIfAny();
    const { guardrail, version } = store.find(decode(match[1] ?? ''), decode(match[2] ?? ''));
    const hits = parseDirectives(texts).guardrail ?? [];
    const direction = source === 'INPUT' ? 'input' : 'output';
    const evaluation = evaluate(version, direction, texts, hits, outputScope === 'FULL');
    count(evaluation);
    evaluation.assessment.appliedGuardrailDetails = appliedDetails(guardrail, version);
    const message = direction === 'input' ? version.blockedInputMessaging : version.blockedOutputsMessaging;
    const outputs = evaluation.blocked
      ? [{ text: message }]
      : evaluation.masked
        ? evaluation.texts.map((text) => ({ text }))
        : [];
    sendJson(
      res,
      200,
      {
        usage: evaluation.usage,
        action: evaluation.blocked || evaluation.masked ? 'GUARDRAIL_INTERVENED' : 'NONE',
        outputs,
        assessments: [evaluation.assessment],
        guardrailCoverage: {
          textCharacters: { guarded: evaluation.characters, total: evaluation.characters },
        },
      },
      requestId,
    );
  } catch (error) {
    sendError(
      res,
      error instanceof EmulatedError ? error : new EmulatedError('InternalServerException'),
      requestId,
    );
  }
}

function decode(label: string): string {
  try {
    return decodeURIComponent(label);
  } catch {
    return label;
  }
}
