/**
 * The emulator's Batch Inference side, behind one hook in server.ts: the Bedrock control plane
 * (model invocation jobs) and an S3 API for its buckets, on the same port as the runtime. A request
 * goes to S3 when it is signed for S3 (or unsigned and not on a Bedrock path); otherwise to the
 * control plane when on its paths; anything else is left to the runtime routes.
 */

import type { Arrivals } from '../behaviour/directives.js';
import type { ProfileStore } from '../catalogue/profiles.js';
import type { GuardrailStore } from '../guardrails/store.js';
import { externalStore } from '../s3/external.js';
import { handleS3 } from '../s3/routes.js';
import { MemoryStore, type ObjectStore } from '../s3/store.js';
import { newRequestId, S3Error, sendS3Error } from '../s3/xml.js';
import { header, type Request, type Response } from '../wire/http.js';
import { Executor } from './executor.js';
import { type ControlFaultOptions, ControlFaults } from './faults.js';
import { handleGuardrails, isGuardrailPath } from './guardrail-routes.js';
import { STATUSES } from './job.js';
import { JobRegistry } from './jobs.js';
import { handleProfiles, isProfilePath } from './profile-routes.js';
import { handleControl, isControlPath } from './routes.js';

export interface BatchOptions extends ControlFaultOptions {
  /** Pause between two steps of a job (status changes, and each slice of records). @default 20 */
  batchStepMs?: number;
  /** Records a job answers per step while InProgress. @default 100 */
  batchRecordsPerStep?: number;
  /** Fewest records a job takes; fewer fail the job in Validating, as Bedrock does. @default 100 */
  batchMinRecords?: number;
  /** Most records per job and per input file. @default 50000 */
  batchMaxRecords?: number;
  /** Submitted + in-progress jobs per base model before ServiceQuotaExceededException. @default 20 */
  batchJobsInFlight?: number;
  /** Buckets the in-memory S3 has from the start (and again after a reset). @default [] */
  s3Buckets?: string[];
  /** An external S3 endpoint (e.g. moto) that jobs read their input from and write their output to. */
  s3Endpoint?: string;
  /** Refuse a profile-only model's base id at create (ValidationException). @default false */
  batchRefuseProfileOnly?: boolean;
  /** A job waits after answering this many records until it is stopped: a stop lands mid-file. */
  batchHoldAt?: number;
  /** Write a job's output directly under its output prefix, not in a `<job id>/` folder. @default false */
  batchOutputFlat?: boolean;
}

export interface BatchStats {
  /** Jobs Create made (idempotent repeats not counted). */
  jobs: number;
  /** Create calls answered with a job ARN, idempotent repeats included. */
  submissions: number;
  /** Jobs now in each status. */
  byStatus: Record<string, number>;
  /** Records answered by jobs, ok or not, and their tokens. */
  records: number;
  succeeded: number;
  failed: number;
  inputTokens: number;
  outputTokens: number;
  /** Faults the knobs made: throttles, 500s, Create answers lost, S3 uploads failed. */
  faults: ControlFaults['counts'];
}

export interface BatchPlane {
  /** Serves the request if it is the control plane's or S3's; false leaves it to the runtime. */
  route(req: Request, res: Response, path: string, query: URLSearchParams): Promise<boolean>;
  stats(): BatchStats;
  resetStats(): void;
  /** Stops every job and empties the registry and the in-memory buckets. */
  reset(): void;
  close(): void;
}

export function createBatchPlane(
  options: BatchOptions,
  shared: {
    arrivals: Arrivals;
    seed: number;
    guardrails?: GuardrailStore;
    deniedGuardrailActions?: string[];
    profiles?: ProfileStore;
  },
): BatchPlane {
  const memory = new MemoryStore(options.s3Buckets ?? []);
  const jobStore: ObjectStore = options.s3Endpoint ? externalStore(options.s3Endpoint) : memory;
  const registry = new JobRegistry({
    jobsInFlight: options.batchJobsInFlight ?? 20,
    refuseProfileOnly: options.batchRefuseProfileOnly ?? false,
  });
  const executor = new Executor(
    {
      stepMs: options.batchStepMs ?? 20,
      recordsPerStep: options.batchRecordsPerStep ?? 100,
      minRecords: options.batchMinRecords ?? 100,
      maxRecords: options.batchMaxRecords ?? 50_000,
      seed: shared.seed,
      flatOutput: options.batchOutputFlat ?? false,
      ...(options.batchHoldAt === undefined ? {} : { holdAt: options.batchHoldAt }),
    },
    jobStore,
    shared.arrivals,
  );
  let faults = new ControlFaults(options, shared.seed);
  let createdBefore = 0;
  let answeredBefore = 0;
  return {
    async route(req, res, path, query) {
      if (isS3Request(req, path)) {
        if (faults.failUpload(req.method ?? 'GET', query)) {
          req.resume();
          sendS3Error(res, new S3Error('InternalError'), newRequestId(), false);
        } else await handleS3(req, res, path, query, memory);
        return true;
      }
      if (shared.guardrails && isGuardrailPath(path)) {
        await handleGuardrails(req, res, path, query, shared.guardrails, shared.deniedGuardrailActions ?? []);
        return true;
      }
      if (shared.profiles && isProfilePath(path)) {
        await handleProfiles(req, res, path, query, shared.profiles);
        return true;
      }
      if (!isControlPath(path)) return false;
      await handleControl(req, res, path, query, registry, {
        started: (job) => executor.start(job),
        faults,
        tagged: (arn, tags) => shared.profiles?.tag(arn, tags),
      });
      return true;
    },
    stats() {
      const byStatus = Object.fromEntries(STATUSES.map((status) => [status, 0]));
      for (const job of registry.all()) byStatus[job.status] = (byStatus[job.status] ?? 0) + 1;
      return {
        jobs: registry.created - createdBefore,
        submissions: registry.answered - answeredBefore,
        byStatus,
        ...executor.counters(),
        faults: { ...faults.counts },
      };
    },
    resetStats() {
      createdBefore = registry.created;
      answeredBefore = registry.answered;
      executor.resetCounters();
    },
    reset() {
      executor.reset();
      executor.resetCounters();
      registry.clear();
      faults = new ControlFaults(options, shared.seed);
      createdBefore = 0;
      answeredBefore = 0;
      memory.clear();
    },
    close: () => executor.reset(),
  };
}

const BEDROCK_PATH =
  /^\/(model|model-invocation-jobs?|guardrails?|inference-profiles|tagResource|untagResource|listTagsForResource|__emulator)(\/|$)/;

/**
 * S3 clients sign for service `s3` (SigV4 scope `KEY/DATE/REGION/s3/aws4_request`); unsigned
 * requests (some S3 tools send none) are S3 unless they are on a Bedrock path.
 */
function isS3Request(req: Request, path: string): boolean {
  const authorization = header(req, 'authorization');
  const service = /Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/([a-z0-9-]+)\//.exec(authorization ?? '')?.[1];
  if (service !== undefined) return service === 's3';
  if (authorization !== undefined) return false;
  return !BEDROCK_PATH.test(path);
}
