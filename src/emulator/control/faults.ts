/**
 * Failure shapes of Bedrock's batch side that clients were bitten by, on demand for tests: the
 * control plane answering throttles and 500s (seeded, reproducible), a Create that makes the job
 * and then loses its answer (the client sees a 500; the job exists and is billed), and S3 uploads
 * failing midway. Each is off unless its knob is set.
 */
import { ControlError } from './errors.js';

export interface ControlFaultOptions {
  /** Create, Get and List answer ThrottlingException or InternalServerException at this rate. @default 0 */
  batchControlFailRate?: number;
  /** The first N Create answers (the job made all the same) are lost: the client sees a 500. @default 0 */
  batchCreateLostReplies?: number;
  /** S3 uploads (PUT, multipart parts) answer 500 InternalError at this rate. @default 0 */
  s3UploadFailRate?: number;
}

export class ControlFaults {
  private lostLeft: number;
  private state: number;
  /** Faults answered, by kind, for the stats. */
  readonly counts = { throttled: 0, failed: 0, lostReplies: 0, s3Failed: 0 };

  constructor(
    private readonly options: ControlFaultOptions,
    seed: number,
  ) {
    this.lostLeft = options.batchCreateLostReplies ?? 0;
    this.state = (seed ^ 0x5bd1e995) >>> 0;
  }

  /** A fault to answer a control-plane call with before it is served, or undefined. */
  before(operation: 'create' | 'get' | 'list' | 'stop'): ControlError | undefined {
    const rate = this.options.batchControlFailRate ?? 0;
    if (rate <= 0 || operation === 'stop' || this.next() >= rate) return undefined;
    // A Create may fail after it made the job (below); here it fails before.
    if (this.next() < 0.5) {
      this.counts.throttled++;
      return new ControlError('ThrottlingException', 'Too many requests, please wait before trying again.');
    }
    this.counts.failed++;
    return new ControlError('InternalServerException', 'Internal server error.');
  }

  /** After a Create made (or found) its job: whether its answer is lost (the client gets a 500). */
  loseCreateReply(): boolean {
    if (this.lostLeft > 0) {
      this.lostLeft--;
      this.counts.lostReplies++;
      return true;
    }
    const rate = this.options.batchControlFailRate ?? 0;
    if (rate > 0 && this.next() < rate / 2) {
      this.counts.lostReplies++;
      return true;
    }
    return false;
  }

  /** Whether an S3 upload request fails. */
  failUpload(method: string, query: URLSearchParams): boolean {
    const rate = this.options.s3UploadFailRate ?? 0;
    const upload = method === 'PUT' || (method === 'POST' && query.has('uploads'));
    if (rate <= 0 || !upload || this.next() >= rate) return false;
    this.counts.s3Failed++;
    return true;
  }

  /** mulberry32: small, seeded, the same sequence every run. */
  private next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
