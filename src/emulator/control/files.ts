/**
 * A job's files in S3, in Bedrock's layout: every `*.jsonl` under the input prefix (or the one
 * object the input URI names), one record `{recordId?, modelInput}` per line; and the output,
 * `<output uri>/<job id>/<input file name>.out` per input file plus `manifest.json.out`, each
 * file's lines in a shuffled order (seeded, so the same input gives the same order), as Bedrock
 * does not keep the input order.
 */
import type { ObjectStore } from '../s3/store.js';
import type { Job } from './job.js';

export interface BatchRecord {
  recordId: string;
  modelInput: Record<string, unknown>;
}

export interface InputFile {
  /** The name relative to the input prefix: the output file is this name plus `.out`. */
  name: string;
  records: BatchRecord[];
}

/**
 * `[[emulator:job=Expired]]` (or `PartiallyCompleted`, `Failed`, `AllErrors`: Completed with every
 * record an error) anywhere in a job's input scripts how the whole job ends, so a client can be tested against endings that take hours on Bedrock.
 * It is taken out of the record before the record is answered.
 */
const JOB_DIRECTIVE = /\[\[emulator:job=([^\]]*)\]\]/g;
export const ENDINGS = ['Expired', 'PartiallyCompleted', 'Failed', 'AllErrors'] as const;
export type ScriptedEnding = (typeof ENDINGS)[number];

export interface Input {
  files: InputFile[];
  ending?: ScriptedEnding;
}

/** A reason the job fails, shown as its `message`. */
export class JobFailure extends Error {}

export function splitUri(uri: string): { bucket: string; key: string } {
  const rest = uri.slice('s3://'.length);
  const slash = rest.indexOf('/');
  return slash < 0 ? { bucket: rest, key: '' } : { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

export async function readInput(store: ObjectStore, uri: string): Promise<Input> {
  const { bucket, key } = splitUri(uri);
  let prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
  let keys: string[];
  const single =
    key !== '' && !key.endsWith('/') ? await guard(uri, () => store.get(bucket, key)) : undefined;
  if (single !== undefined) {
    prefix = key.slice(0, key.lastIndexOf('/') + 1);
    keys = [key];
  } else {
    keys = (await guard(uri, () => store.list(bucket, prefix))).filter((k) => k.endsWith('.jsonl'));
  }
  if (keys.length === 0)
    throw new JobFailure(`Validation failed: no .jsonl input files were found at ${uri}.`);
  let generated = 0;
  let ending: ScriptedEnding | undefined;
  const files: InputFile[] = [];
  for (const k of keys) {
    const body = single ?? (await guard(uri, () => store.get(bucket, k))) ?? Buffer.alloc(0);
    const records: BatchRecord[] = [];
    body
      .toString('utf8')
      .split('\n')
      .forEach((raw, i) => {
        const line = raw.trim().replace(JOB_DIRECTIVE, (whole, value: string) => {
          if (!(ENDINGS as readonly string[]).includes(value))
            throw new JobFailure(`Emulator directive ${whole}: expected one of ${ENDINGS.join(', ')}.`);
          ending = value as ScriptedEnding;
          return '';
        });
        if (line === '') return;
        const record = parseRecord(line);
        if (!record)
          throw new JobFailure(
            `Validation failed: s3://${bucket}/${k} line ${i + 1} is not a valid record; each line must be a JSON object {"recordId": "...", "modelInput": {...}}.`,
          );
        // Bedrock gives a record without a recordId one of its own: 11 characters.
        records.push({
          recordId: record.recordId ?? `RECORD${String(++generated).padStart(5, '0')}`,
          modelInput: record.modelInput,
        });
      });
    files.push({ name: k.slice(prefix.length), records });
  }
  return { files, ...(ending === undefined ? {} : { ending }) };
}

function parseRecord(line: string): { recordId?: string; modelInput: Record<string, unknown> } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || !isRecord(value.modelInput)) return undefined;
  if (value.recordId !== undefined && typeof value.recordId !== 'string') return undefined;
  return {
    ...(value.recordId === undefined ? {} : { recordId: value.recordId }),
    modelInput: value.modelInput,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A missing bucket or an unreachable store fails the job, naming the URI, as Bedrock's validation does. */
async function guard<T>(uri: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new JobFailure(`Validation failed: could not read ${uri}: ${(error as Error).message}`);
  }
}

export async function writeOutput(
  store: ObjectStore,
  job: Job,
  files: InputFile[],
  lines: string[][],
  seed: number,
  flat = false,
): Promise<void> {
  const { bucket, key } = splitUri(job.outputDataConfig.s3OutputDataConfig.s3Uri);
  const base = `${key === '' || key.endsWith('/') ? key : `${key}/`}${flat ? '' : `${job.id}/`}`;
  for (const [i, file] of files.entries()) {
    const out = shuffled(lines[i] ?? [], hash(`${seed}\n${file.name}\n${file.records.length}`));
    const body = out.length === 0 ? '' : `${out.join('\n')}\n`;
    await store.put(bucket, `${base}${file.name}.out`, Buffer.from(body), 'application/jsonl');
  }
  const manifest = {
    totalRecordCount: job.totalRecordCount,
    processedRecordCount: job.processedRecordCount,
    successRecordCount: job.successRecordCount,
    errorRecordCount: job.errorRecordCount,
    inputTokenCount: job.inputTokenCount,
    outputTokenCount: job.outputTokenCount,
  };
  await store.put(
    bucket,
    `${base}manifest.json.out`,
    Buffer.from(JSON.stringify(manifest)),
    'application/json',
  );
}

/** Fisher-Yates driven by mulberry32: small, seeded, the same order every run. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** FNV-1a, to turn the seed and a file's name into a shuffle seed. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text)) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h;
}
