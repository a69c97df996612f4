/**
 * `--guardrail`, checked before any row is sent: GetGuardrail on Bedrock's control plane, so an
 * unknown id or version is a setup error (exit 2, in Bedrock's own words) rather than the same
 * refusal on every row. Where the call is denied (the role may invoke models with a guardrail but
 * not read it: no `bedrock:GetGuardrail`), the check is skipped with a warning and the first rows
 * tell: Bedrock refuses them with a non-retryable error, never retried row by row, and fail-fast
 * stops the run (exit 3). Any other trouble reaching the control plane (it is another endpoint than
 * the runtime's) is a warning too: the runtime is the judge that counts.
 *
 * The control plane is reached as batch mode reaches it (engines/batch/clients.ts): the emulator's
 * URL with --emulate, else AWS_ENDPOINT_URL_BEDROCK or AWS_ENDPOINT_URL, else an --endpoint that is
 * not AWS's own (the emulator or a proxy serves both planes on one URL), else AWS.
 */
import { GetGuardrailCommand } from '@aws-sdk/client-bedrock';
import { RunBatchError } from '../../errors.js';
import type { GuardrailName } from '../../job/guardrail-options.js';
import { type BatchClientOptions, createBatchClients } from '../batch/clients.js';

/** What GetGuardrail said the guardrail has, for the run's log. */
export interface CheckedGuardrail {
  name?: string;
  version?: string;
  status?: string;
}

const SETUP_ERRORS = new Set(['ResourceNotFoundException', 'ValidationException']);

export async function checkGuardrail(
  guardrail: GuardrailName,
  options: BatchClientOptions & { runtimeEndpoint?: string },
  onWarning: (message: string) => void = () => {},
): Promise<CheckedGuardrail | undefined> {
  const { runtimeEndpoint, ...clientOptions } = options;
  const emulatorUrl =
    clientOptions.emulatorUrl ??
    (options.env.AWS_ENDPOINT_URL_BEDROCK || options.env.AWS_ENDPOINT_URL
      ? undefined
      : notAws(runtimeEndpoint));
  const clients = createBatchClients({ ...clientOptions, ...(emulatorUrl ? { emulatorUrl } : {}) });
  const named = `${guardrail.id}:${guardrail.version}`;
  try {
    const found = await clients.bedrock.send(
      new GetGuardrailCommand({ guardrailIdentifier: guardrail.id, guardrailVersion: guardrail.version }),
    );
    return {
      ...(found.name === undefined ? {} : { name: found.name }),
      ...(found.version === undefined ? {} : { version: found.version }),
      ...(found.status === undefined ? {} : { status: found.status }),
    };
  } catch (error) {
    const name = (error as Error).name;
    const message = (error as Error).message;
    if (SETUP_ERRORS.has(name))
      throw new RunBatchError('USAGE', `--guardrail ${named}: ${message} (${name}, from GetGuardrail)`, {
        cause: error,
      });
    onWarning(
      name === 'AccessDeniedException'
        ? `--guardrail ${named}: GetGuardrail was denied (${message}), so the guardrail is not checked before the run; if Bedrock refuses it, the first rows stop the run`
        : `--guardrail ${named}: could not check it with GetGuardrail (${name}: ${message}); the run goes on and Bedrock judges it on the first rows`,
    );
    return undefined;
  } finally {
    clients.destroy();
  }
}

/** An endpoint URL that is not one of AWS's own hosts (those serve one plane each). */
export function notAws(endpoint: string | undefined): string | undefined {
  if (endpoint === undefined) return undefined;
  try {
    const host = new URL(endpoint).hostname;
    return /(^|\.)amazonaws\.com(\.cn)?$|(^|\.)api\.aws$/.test(host) ? undefined : endpoint;
  } catch {
    return undefined;
  }
}
