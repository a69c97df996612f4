/** `run-batch emulator`: the Bedrock Runtime emulator in the foreground until SIGINT/SIGTERM. */

import type { Options } from 'yargs';
import { type EmulatorOptions, startEmulator } from '../emulator/server.js';
import { RunBatchError } from '../errors.js';
import { DEFAULTS } from '../job/options.js';
import { decimal, fail, text, textList, wholeNumber } from '../job/values.js';
import type { CommandIO } from './io.js';

/** The emulator's flags; values stay raw strings, checked below. */
export const emulatorOptions: Record<string, Options> = {
  port: {
    type: 'string',
    describe: 'Port to listen on (0 picks a free one)',
    default: String(DEFAULTS.emulatorPort),
  },
  host: { type: 'string', describe: 'Address to listen on', default: '127.0.0.1' },
  rpm: { type: 'string', describe: 'Requests per minute per model (0 = unlimited)', default: '0' },
  tpm: {
    type: 'string',
    describe: 'Tokens per minute per model, input + max tokens reserved on arrival (0 = unlimited)',
    default: '0',
  },
  'burst-seconds': {
    type: 'string',
    describe: 'Seconds of quota a full bucket holds (the burst allowed after idling)',
    default: '10',
  },
  'latency-ms': { type: 'string', describe: 'Base latency of every call', default: '0' },
  'ms-per-token': {
    type: 'string',
    describe: 'Extra latency per output token (streams wait this before each delta)',
    default: '0',
  },
  'fail-rate': {
    type: 'string',
    describe: 'Probability (0 to 1) of a random fault: 500, 503, 408, dropped connection, mid-stream',
    default: '0',
  },
  seed: { type: 'string', describe: 'Seed of the random fault sequence', default: '1' },
  ...batchOptions(),
};

/** Batch Inference (control plane and S3) flags; apart so the runtime's stay as they were. */
function batchOptions(): Record<string, Options> {
  return {
    'batch-step-ms': {
      type: 'string',
      describe: 'Pause between two steps of a batch job (a status change, or a slice of records)',
      default: '20',
    },
    'batch-min-records': { type: 'string', describe: 'Fewest records a batch job takes', default: '100' },
    'batch-jobs-in-flight': {
      type: 'string',
      describe: 'Submitted + in-progress batch jobs per model before ServiceQuotaExceededException',
      default: '20',
    },
    'batch-records-per-step': {
      type: 'string',
      describe: 'Records a batch job answers per step (1 with a slow step: a stop lands mid-file)',
      default: '100',
    },
    'batch-hold-at': {
      type: 'string',
      describe: 'A batch job waits after answering this many records until it is stopped (a stop mid-file)',
    },
    'batch-refuse-profile-only': {
      type: 'boolean',
      describe: "Refuse a batch job on a profile-only model's base id at create (ValidationException)",
    },
    'batch-output-flat': {
      type: 'boolean',
      describe: "Write a job's output directly under its output prefix, not in a <job id>/ folder",
    },
    'batch-control-fail-rate': {
      type: 'string',
      describe: 'Create/Get/List answer throttles and 500s at this rate (0-1, --seed)',
      default: '0',
    },
    'batch-create-lost-replies': {
      type: 'string',
      describe: 'The first N Creates make the job, then answer 500 (an orphan if the client creates again)',
      default: '0',
    },
    's3-upload-fail-rate': {
      type: 'string',
      describe: 'S3 uploads (PUT, multipart) answer 500 at this rate (0-1, --seed)',
      default: '0',
    },
    's3-bucket': {
      type: 'string',
      array: true,
      describe: 'A bucket the emulator S3 has from the start (repeatable)',
    },
    's3-endpoint': { type: 'string', describe: 'An external S3 (e.g. moto) for batch job input and output' },
  };
}

/** The batch flags checked, as EmulatorOptions members. */
export function batchEmulatorSettings(raw: Record<string, unknown>): EmulatorOptions {
  const endpoint = raw['s3-endpoint'];
  if (endpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(String(endpoint)))
    fail('s3-endpoint', 'an http:// or https:// URL', endpoint);
  const buckets = raw['s3-bucket'] === undefined ? [] : textList('s3-bucket', raw['s3-bucket']);
  for (const bucket of buckets)
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
      fail('s3-bucket', 'a valid S3 bucket name', bucket);
  return {
    batchStepMs: wholeNumber('batch-step-ms', raw['batch-step-ms'] ?? '20', 0),
    batchMinRecords: wholeNumber('batch-min-records', raw['batch-min-records'] ?? '100', 1),
    batchJobsInFlight: wholeNumber('batch-jobs-in-flight', raw['batch-jobs-in-flight'] ?? '20', 1),
    batchRecordsPerStep: wholeNumber('batch-records-per-step', raw['batch-records-per-step'] ?? '100', 1),
    batchOutputFlat: raw['batch-output-flat'] === true,
    batchRefuseProfileOnly: raw['batch-refuse-profile-only'] === true,
    ...(raw['batch-hold-at'] === undefined
      ? {}
      : { batchHoldAt: wholeNumber('batch-hold-at', raw['batch-hold-at'], 1) }),
    batchControlFailRate: decimal('batch-control-fail-rate', raw['batch-control-fail-rate'] ?? '0', 0, 1),
    batchCreateLostReplies: wholeNumber(
      'batch-create-lost-replies',
      raw['batch-create-lost-replies'] ?? '0',
      0,
    ),
    s3UploadFailRate: decimal('s3-upload-fail-rate', raw['s3-upload-fail-rate'] ?? '0', 0, 1),
    s3Buckets: buckets,
    ...(endpoint === undefined ? {} : { s3Endpoint: String(endpoint) }),
  };
}

/** Checks the raw flag values once, with messages that quote what was given. */
export function emulatorSettings(raw: Record<string, unknown>): EmulatorOptions {
  return {
    port: wholeNumber('port', raw.port ?? String(DEFAULTS.emulatorPort), 0, 65535),
    host: text('host', raw.host ?? '127.0.0.1'),
    rpm: wholeNumber('rpm', raw.rpm ?? '0', 0),
    tpm: wholeNumber('tpm', raw.tpm ?? '0', 0),
    burstSeconds: wholeNumber('burst-seconds', raw['burst-seconds'] ?? '10', 1, 3600),
    latencyMs: wholeNumber('latency-ms', raw['latency-ms'] ?? '0', 0),
    msPerToken: wholeNumber('ms-per-token', raw['ms-per-token'] ?? '0', 0),
    failRate: decimal('fail-rate', raw['fail-rate'] ?? '0', 0, 1),
    seed: wholeNumber('seed', raw.seed ?? '1', 0, 0xffff_ffff),
  };
}

export async function emulatorCommand(raw: Record<string, unknown>, io: CommandIO): Promise<number> {
  const settings = emulatorSettings(raw);
  const batch = batchEmulatorSettings(raw);
  const emulator = await startEmulator({ ...settings, ...batch }).catch((error: NodeJS.ErrnoException) => {
    // A port in use or an address not on this machine is the user's to fix, not a crash.
    if (error.code === 'EADDRINUSE' || error.code === 'EADDRNOTAVAIL' || error.code === 'EACCES') {
      throw new RunBatchError(
        'USAGE',
        `--port ${settings.port} on --host ${settings.host}: ${error.message}`,
      );
    }
    // A host name that does not resolve (or `999.1.1.1`, which is no IP address and so is looked up
    // as a name) is a typo, not a crash.
    if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN' || error.code === 'EAI_FAIL') {
      throw new RunBatchError(
        'USAGE',
        `--host ${settings.host}: no such address on this machine (${error.code}); give an IP address such as 127.0.0.1 or a host name that resolves`,
      );
    }
    throw error;
  });
  const limit = (n = 0) => (n > 0 ? String(n) : 'unlimited');
  io.stdout(`Bedrock Runtime emulator listening (HTTP/1.1 and h2c) on ${emulator.url}\n`);
  io.stdout(
    `rpm ${limit(settings.rpm)}, tpm ${limit(settings.tpm)} per model; latency ${settings.latencyMs} ms + ` +
      `${settings.msPerToken} ms/token; fail rate ${settings.failRate} (seed ${settings.seed})\n`,
  );
  io.stdout(`export AWS_ENDPOINT_URL_BEDROCK_RUNTIME=${emulator.url}\n`);
  // The batch control plane and S3 answer on the same port.
  io.stdout(`export AWS_ENDPOINT_URL_BEDROCK=${emulator.url}\n`);
  io.stdout(`export AWS_ENDPOINT_URL_S3=${batch.s3Endpoint ?? emulator.url}\n`);
  await new Promise<void>((resolve) => io.onSignal(() => resolve()));
  await emulator.close();
  return 0;
}
