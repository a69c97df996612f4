/**
 * The row plan: what every row of the input will send, checked once. The check pass builds each
 * row's request and applies every check (see scan.ts), and keeps per row what later steps need:
 * its id, its fingerprint (what it asks, see fingerprint.ts) and the largest token reservation.
 * `rows()` is the second pass that engines read: it builds each request again and verifies it is
 * the one that was checked, so an input replaced or edited while the run reads it stops the run
 * (exit 3) instead of sending rows nobody checked or leaving rows silently unsent.
 */
import { RunBatchError } from '../errors.js';
import { requestBuilder, requestDefaults } from '../input/request.js';
import { openSource } from '../input/source.js';
import type { JobSpec } from '../job/spec.js';
import type { PromptRequest } from '../types.js';
import { extendBuilder } from './answers.js';
import type { RequestCheck } from './checks.js';
import { FINGERPRINT_HEX, fingerprint } from './fingerprint.js';
import { fingerprintV1 } from './fingerprint-v1.js';
import { type Reservation, reservation } from './reservation.js';
import { type EtagLookup, s3Etags } from './s3-objects.js';
import { scanRows } from './scan.js';
import { inShard } from './shard.js';
import { SliceChooser, sliceLabel } from './slice.js';

export interface PlannedRow {
  request: PromptRequest;
  reserve: Reservation;
  fingerprint: string;
}

export interface RowPlan {
  /** The input as named in messages. */
  label: string;
  rowCount: number;
  /** The whole input's rows (rowCount is fewer with --limit, --sample or --shard). */
  inputRows: number;
  /** With --limit or --sample: `120 of 300 rows (--sample 120 --seed 7)`. */
  slice?: string;
  columns: string[];
  /** id -> 0-based row index, to match an existing results file against the input (then cleared). */
  indexById: IdLookup;
  /** The largest token reservation (estimated input + max_tokens) of any row. */
  largestReservation: number;
  fingerprintAt(index: number): string;
  /**
   * The version 1 fingerprint (fingerprint-v1.ts) of the row at an index, computed again from the
   * input on first use: only a results file written before version 2 needs it.
   */
  fingerprintV1At(index: number): string | undefined;
  /** Reads the input again for fingerprintV1At (a results file from before version 2). */
  loadV1(): Promise<void>;
  /** The second pass, in input order; throws InputChanged when the input is not what was checked. */
  rows(): AsyncIterable<PlannedRow>;
}

/** The plan's ids (id-index.ts): a row's place by its id. */
export interface IdLookup extends Iterable<[string, number]> {
  get(id: string): number | undefined;
  has(id: string): boolean;
  /** Gives back the memory once nothing needs a place by id any more. */
  clear(): void;
}

export interface PlanOptions {
  /** The path to read (a spooled copy of a pipe, or the input itself). */
  path: string;
  label: string;
  check?: RequestCheck;
  signal?: AbortSignal;
  /** Called for every good row during the check pass (estimate tallies here). */
  onRow?: (row: PlannedRow) => void;
  /** Where `no rows in FILE` goes when --allow-empty lets an empty input through. */
  onWarning?: (message: string) => void;
  /** `s3://` attachments' ETags (s3-objects.ts); absent: they are keyed by URI alone (--emulate). */
  s3Etags?: EtagLookup;
}

/** Fingerprints are kept as 16 raw bytes a row (32 hex characters), not as strings. */
const FP_BYTES = FINGERPRINT_HEX / 2;

export async function planRows(spec: JobSpec, options: PlanOptions): Promise<RowPlan> {
  const source = openSource(options.path, spec.inputFormat, options.label);
  // --json-schema and --attach add their part to every request (answers.ts).
  const base = requestBuilder(requestDefaults(spec, options.label));
  const etagOf =
    spec.attach.length > 0 && options.s3Etags
      ? await s3Etags(source, extendBuilder(base, spec, options.label), options.s3Etags)
      : undefined;
  const build = extendBuilder(base, spec, options.label, etagOf);
  const plannedRow = (request: PromptRequest) => planned(request, options.label);
  let prints: Buffer = Buffer.alloc(FP_BYTES * 1024);
  let largestReservation = 0;
  // --limit / --sample (slice.ts) choose rows of the whole input, then --shard i/N keeps this
  // shard's: only those are planned, numbered among themselves (their results file holds them
  // alone, in input order).
  const inThisShard = (id: string) => spec.shard === undefined || inShard(id, spec.shard);
  const chooser = new SliceChooser<Offered>(spec.slice);
  let inShardCount = 0;
  // The planned rows' places among the input's ids (the scan's IdIndex numbers them after it).
  let entries = new Uint32Array(1024);
  let offered = 0;
  const take = ({ request, entry }: Offered) => {
    if (!inThisShard(request.id)) return;
    request.index = inShardCount++;
    const row = plannedRow(request);
    if (request.index >= entries.length) entries = grownU32(entries);
    entries[request.index] = entry;
    if ((request.index + 1) * FP_BYTES > prints.length) prints = grow(prints);
    prints.write(row.fingerprint, request.index * FP_BYTES, 'hex');
    largestReservation = Math.max(largestReservation, row.reserve.input + row.reserve.output);
    options.onRow?.(row);
  };
  const { columns, ids } = await scanRows(
    source,
    build,
    {
      label: options.label,
      ...(options.check ? { check: options.check } : {}),
      ...signalOf(options),
    },
    // The n-th row offered is the scan's n-th id (scan.ts).
    (request) => chooser.offer(request.id, { request, entry: offered++ }, take),
  );
  chooser.finish(take, (value) => value.request.id);
  const rowCount = inShardCount;
  // From first lines to places in the plan; ids of rows not planned (--sample, --shard) get none.
  ids.clearNumbers();
  for (let index = 0; index < rowCount; index++) ids.number(entries[index] as number, index);
  entries = new Uint32Array(0);
  const inputRows = chooser.inputRows;
  if (inputRows === 0) emptyInput(spec, options);
  // The rows of a later pass that were planned: in the slice and in this shard.
  const plannedFilter = () => {
    let at = 0;
    return (id: string) => chooser.has(id, at++) && inThisShard(id);
  };
  const fingerprintAt = (index: number) =>
    prints.subarray(index * FP_BYTES, (index + 1) * FP_BYTES).toString('hex');
  let v1Prints: string[] | undefined;
  const fingerprintV1At = (index: number) => v1Prints?.[index];
  return {
    label: options.label,
    rowCount,
    inputRows,
    ...(spec.slice ? { slice: sliceLabel(spec.slice, rowCount, inputRows) } : {}),
    columns,
    indexById: ids,
    largestReservation,
    fingerprintAt,
    fingerprintV1At,
    async loadV1() {
      // A second read of the input, only for results files from before fingerprint version 2.
      const prints: string[] = [];
      let index = 0;
      const isPlanned = plannedFilter();
      for await (const row of source.rows()) {
        const request = build(row, source.columns());
        if (!isPlanned(request.id)) continue;
        prints[index++] = safeV1(request);
      }
      v1Prints = prints;
    },
    async *rows() {
      let seen = 0;
      let index = 0;
      const isPlanned = plannedFilter();
      const rows = source.rows()[Symbol.asyncIterator]();
      for (;;) {
        let next: PlannedRow;
        let line: number | undefined;
        try {
          const row = await rows.next();
          if (row.done) break;
          line = row.value.line;
          const request = build(row.value, source.columns());
          if (!isPlanned(request.id)) continue;
          request.index = index++;
          next = plannedRow(request);
          if (request.index >= rowCount || next.fingerprint !== fingerprintAt(request.index))
            throw new InputChanged(options.label, line);
        } catch (error) {
          // A row that no longer parses or builds was not the row that was checked either.
          if (error instanceof InputChanged || !(error instanceof RunBatchError)) throw error;
          throw new InputChanged(options.label, line, error.message);
        }
        seen++;
        yield next;
      }
      if (seen < rowCount) throw new InputChanged(options.label);
    },
  };
}

/**
 * A 0-byte or header-only input is most often a failed export upstream: an input error (exit 2)
 * unless --allow-empty says an empty night is expected. A shard with none of the rows is not empty.
 */
function emptyInput(spec: JobSpec, options: PlanOptions): void {
  const message = `no rows in ${options.label}`;
  if (!spec.allowEmpty)
    throw new RunBatchError(
      'INPUT',
      `${message}: the file is empty or holds only a header (--allow-empty accepts that and exits 0)`,
    );
  options.onWarning?.(message);
}

function planned(request: PromptRequest, label: string): PlannedRow {
  let print: string;
  try {
    print = fingerprint(request);
  } catch (error) {
    if (error instanceof RunBatchError) throw error; // an attachment that cannot be read
    // Only a value nested past the stack's depth gets here (thousands of levels).
    throw new RunBatchError(
      'INPUT',
      `${label}:${request.line}: the row is nested too deeply to be sent (${(error as Error).message})`,
    );
  }
  return { request, reserve: reservation(request), fingerprint: print };
}

function safeV1(request: PromptRequest): string {
  try {
    return fingerprintV1(request);
  } catch {
    return '';
  }
}

/** A row offered to the slice, with its place among the input's ids. */
interface Offered {
  request: PromptRequest;
  entry: number;
}

function grownU32(array: Uint32Array): Uint32Array<ArrayBuffer> {
  const bigger = new Uint32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

function grow(buffer: Buffer): Buffer {
  const bigger = Buffer.alloc(buffer.length * 2);
  buffer.copy(bigger);
  return bigger;
}

function signalOf(options: PlanOptions): { signal?: AbortSignal } {
  return options.signal ? { signal: options.signal } : {};
}

/** The input read in the run's pass is not the one the check pass read. */
export class InputChanged extends RunBatchError {
  constructor(label: string, line?: number, detail?: string) {
    super(
      'STOPPED',
      `${label}${line === undefined ? '' : `:${line}`}: the input changed while the run was reading it ` +
        '(rows were added, removed or edited after they were checked); nothing unchecked was sent; run again' +
        (detail === undefined ? '' : ` (${detail})`),
    );
  }
}
