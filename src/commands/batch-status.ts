/**
 * `run-batch batch status [OUTPUT...]`: the batch jobs of results files, from the state file beside
 * each (`<output>.batch.json`), refreshed from Bedrock's GetModelInvocationJob when it answers: each
 * job's state, record counts, age, expected end (Bedrock's jobExpirationTime) and S3 locations.
 * Without OUTPUT, every state file in the current directory. Reads only: nothing is created or
 * stopped. Bedrock unreachable (no credentials, offline) shows the saved state, said as such.
 */
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { displayPath, RunBatchError } from '../errors.js';
import type { OptionDef } from '../job/option-def.js';
import { oneOf, text, textList } from '../job/values.js';
import type { CommandIO } from './io.js';

const BATCH = ['batch'] as const;

/** `batch status`'s options: one table, like every command's (job/option-def.ts). */
export const BATCH_STATUS_OPTIONS: readonly OptionDef[] = [
  {
    flag: 'format',
    type: 'string',
    choices: ['table', 'json'],
    default: 'table',
    group: 'Batch status',
    commands: BATCH,
    describe: 'Output format',
  },
  {
    flag: 'region',
    type: 'string',
    group: 'Batch status',
    commands: BATCH,
    describe: 'AWS region of the jobs',
    defaultDescription: 'AWS_REGION or us-east-1',
  },
  {
    flag: 'profile',
    type: 'string',
    group: 'Batch status',
    commands: BATCH,
    describe: 'AWS profile (the standard credential chain otherwise)',
  },
];

export interface JobStatusLine {
  output: string;
  name: string;
  model: string;
  status: string;
  /** Whether Bedrock answered just now (false: the state file's last word). */
  live: boolean;
  records: number;
  processed: number | null;
  collected: boolean;
  submitted: string | null;
  ageSeconds: number | null;
  expectedEnd: string | null;
  ended: string | null;
  input: string;
  output_s3: string;
  arn: string | null;
  message: string | null;
}

export async function batchStatusCommand(raw: Record<string, unknown>, io: CommandIO): Promise<number> {
  const format = oneOf('format', raw.format ?? 'table', ['table', 'json'] as const);
  const given = raw.outputs === undefined ? [] : textList('outputs', raw.outputs);
  const outputs =
    given.length > 0
      ? given.map((o) => resolve(io.cwd, o.replace(/\.batch\.json$/, '')))
      : readdirSync(io.cwd)
          .filter((f) => f.endsWith('.batch.json'))
          .map((f) => resolve(io.cwd, f.slice(0, -'.batch.json'.length)));
  if (outputs.length === 0)
    throw new RunBatchError(
      'USAGE',
      'no batch state file (<output>.batch.json) here: run-batch batch status <output...>',
    );
  const [{ readState }, { statePath }, { getJob }, { createBatchClients }] = await Promise.all([
    import('../engines/batch/state.js'),
    import('../engines/batch/names.js'),
    import('../engines/batch/control.js'),
    import('../engines/batch/clients.js'),
  ]);
  const region =
    raw.region === undefined
      ? (io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? 'us-east-1')
      : text('region', raw.region);
  const clients = createBatchClients({
    region,
    env: io.env,
    ...(raw.profile === undefined ? {} : { profile: text('profile', raw.profile) }),
  });
  const lines: JobStatusLine[] = [];
  let offline: string | undefined;
  const now = Date.now();
  try {
    for (const output of outputs) {
      const state = readState(statePath(output));
      if (!state)
        throw new RunBatchError(
          'USAGE',
          `${displayPath(output, io.cwd)}: no batch state file (${displayPath(statePath(output), io.cwd)})`,
        );
      for (const job of state.jobs) {
        let live = false;
        if (job.arn !== undefined && offline === undefined) {
          try {
            Object.assign(job, await getJob(clients.bedrock, job.arn));
            live = true;
          } catch (error) {
            offline = (error as Error).message.split('\n')[0];
          }
        }
        lines.push({
          output: displayPath(output, io.cwd),
          name: job.name,
          model: job.model,
          status: job.status,
          live,
          records: job.records,
          processed: job.processed ?? null,
          collected: job.collected,
          submitted: job.submitTime ?? null,
          ageSeconds: job.submitTime ? Math.round((now - Date.parse(job.submitTime)) / 1000) : null,
          expectedEnd: job.expiresAt ?? null,
          ended: job.endTime ?? null,
          input: job.inputUri,
          output_s3: job.outputUri,
          arn: job.arn ?? null,
          message: job.message ?? null,
        });
      }
    }
  } finally {
    clients.destroy();
  }
  if (offline !== undefined)
    io.stderr(`run-batch: warning: Bedrock did not answer (${offline}); showing the saved state\n`);
  io.stdout(format === 'json' ? `${JSON.stringify({ jobs: lines }, null, 2)}\n` : table(lines));
  return 0;
}

function table(lines: JobStatusLine[]): string {
  if (lines.length === 0) return 'no batch jobs\n';
  return `${lines
    .map((l) => {
      const counts = `${l.processed ?? 0}/${l.records} records`;
      const age = l.ageSeconds === null ? 'not submitted' : `age ${duration(l.ageSeconds)}`;
      const end = l.ended ? `ended ${l.ended}` : l.expectedEnd ? `ends by ${l.expectedEnd}` : '';
      const state = `${l.status}${l.collected ? ', collected' : ''}${l.live ? '' : ' (saved)'}`;
      return [
        `${l.output}  ${l.name}  ${state}`,
        `  ${l.model}, ${counts}, ${age}${end ? `, ${end}` : ''}`,
        `  input ${l.input}  output ${l.output_s3}`,
        ...(l.message ? [`  ${l.message}`] : []),
      ].join('\n');
    })
    .join('\n')}\n`;
}

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)}h`;
}
