/**
 * An S3 output's checkpoints: incremental segments under its hidden prefix
 * (`.run-batch/<name>/segments/000001.jsonl`), each holding the answer ledger's entries this output
 * bought since the previous segment (never a rewrite of everything, which would grow
 * quadratically), and batch mode's job state (`batch.json`). A run on another machine imports the
 * segments into its ledger first; the ledger's reuse then writes those rows with no call.
 *
 * What is local (`<staging>.s3.json` beside the staging results file): the ledger seq up to which
 * this machine has sent entries, and the segments it already holds, so neither is done twice.
 */
import { existsSync, readFileSync } from 'node:fs';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { writeFileAtomic } from '../atomic-write.js';
import { Ledger, type LedgerEntry } from '../ledger/store.js';
import { s3Problem } from './input.js';
import { s3UriOf, statusOf } from './uri.js';

interface LocalState {
  ledger: string;
  cursor: number;
  /** `name etag` of each segment held: numbering restarts when the hidden prefix is removed. */
  imported: string[];
  batchState?: string;
}

export interface CheckpointPlace {
  bucket: string;
  /** The hidden prefix, ending in `/`. */
  prefix: string;
  /** The staging results file's real path: what the ledger's entries name as their output. */
  output: string;
  ledgerPath: string;
  /** Batch mode's job state file beside the staging file. */
  batchState: string;
}

export class Checkpoints {
  private state: LocalState;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly ledger: Ledger;
  /** Segments written by this run, and entries in them: for the summary and the tests. */
  written = 0;

  constructor(
    private readonly s3: S3Client,
    private readonly place: CheckpointPlace,
    onWarning?: (message: string) => void,
  ) {
    this.ledger = Ledger.open(place.ledgerPath, onWarning ? { onWarning } : {});
    const saved = readState(this.statePath);
    this.state =
      saved && saved.ledger === place.ledgerPath
        ? saved
        : { ledger: place.ledgerPath, cursor: -1, imported: [] };
  }

  private get statePath(): string {
    return `${this.place.output}.s3.json`;
  }

  /** Takes every segment this machine does not hold into the ledger; returns how many entries. */
  async importAll(): Promise<number> {
    const segments = await this.segments();
    let added = 0;
    for (const { name, etag } of segments) {
      if (this.state.imported.includes(`${name} ${etag}`)) continue;
      const text = await this.getText(`${this.place.prefix}segments/${name}`);
      const entries: LedgerEntry[] = [];
      for (const line of (text ?? '').split('\n')) {
        if (line.trim() === '') continue;
        const { seq: _seq, ...entry } = JSON.parse(line) as LedgerEntry & { seq?: number };
        // The rows this output bought keep their paid_usd here too (run-ledger.ts reusedRecord).
        const local = { ...entry, output: this.place.output };
        if (local.status === 'ok' && this.ledger.has(local.key)) continue;
        entries.push(local);
      }
      added += this.ledger.recordAll(entries);
      this.state.imported.push(`${name} ${etag}`);
    }
    // A machine new to this output sends only what it buys from now on.
    if (this.state.cursor < 0) this.state.cursor = this.ledger.lastSeq();
    if (!existsSync(this.place.batchState)) {
      const batch = await this.getText(`${this.place.prefix}batch.json`);
      if (batch !== undefined) {
        writeFileAtomic(this.place.batchState, batch);
        this.state.batchState = batch;
      }
    }
    this.save();
    return added;
  }

  /** Sends what the ledger holds since the last checkpoint; one at a time, in order. */
  checkpoint(): Promise<void> {
    const next = this.chain.then(() => this.send());
    this.chain = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.ledger.close();
  }

  private async send(): Promise<void> {
    const entries = this.ledger.entriesAfter(this.state.cursor, this.place.output);
    if (entries.length > 0) {
      const body = `${entries.map((e) => JSON.stringify(e)).join('\n')}\n`;
      const held = await this.putSegment(body);
      this.state.cursor = (entries[entries.length - 1] as { seq: number }).seq;
      this.state.imported.push(held);
      this.written++;
      this.save();
    }
    if (existsSync(this.place.batchState)) {
      const batch = readFileSync(this.place.batchState, 'utf8');
      if (batch !== this.state.batchState) {
        await this.put(`${this.place.prefix}batch.json`, batch);
        this.state.batchState = batch;
        this.save();
      }
    }
  }

  /** The next number after the highest segment; a conditional create, so two writers never share one. */
  private async putSegment(body: string): Promise<string> {
    const segments = await this.segments();
    const last = segments[segments.length - 1];
    let n = last === undefined ? 1 : Number.parseInt(last.name, 10) + 1;
    for (;;) {
      const name = `${String(n).padStart(6, '0')}.jsonl`;
      const etag = await this.put(`${this.place.prefix}segments/${name}`, body, true);
      if (etag !== undefined) return `${name} ${etag}`;
      n++;
    }
  }

  private async segments(): Promise<{ name: string; etag: string }[]> {
    const prefix = `${this.place.prefix}segments/`;
    const names: { name: string; etag: string }[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.s3.send(
          new ListObjectsV2Command({ Bucket: this.place.bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const item of page.Contents ?? []) {
          const name = (item.Key ?? '').slice(prefix.length);
          if (/^\d{6,}\.jsonl$/.test(name)) names.push({ name, etag: item.ETag ?? '' });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      throw s3Problem(error, s3UriOf(this.place.bucket, prefix), 'ListObjectsV2');
    }
    return names.sort((a, b) => Number.parseInt(a.name, 10) - Number.parseInt(b.name, 10));
  }

  private async getText(key: string): Promise<string | undefined> {
    try {
      const got = await this.s3.send(new GetObjectCommand({ Bucket: this.place.bucket, Key: key }));
      return (await got.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw s3Problem(error, s3UriOf(this.place.bucket, key), 'GetObject');
    }
  }

  /** The new object's ETag; undefined when `onlyNew` and the key exists (412). */
  private async put(key: string, body: string, onlyNew = false): Promise<string | undefined> {
    try {
      const out = await this.s3.send(
        new PutObjectCommand({
          Bucket: this.place.bucket,
          Key: key,
          Body: body,
          ContentType: 'application/x-ndjson',
          ...(onlyNew ? { IfNoneMatch: '*' } : {}),
        }),
      );
      return out.ETag ?? '';
    } catch (error) {
      if (onlyNew && (statusOf(error) === 412 || statusOf(error) === 409)) return undefined;
      throw s3Problem(error, s3UriOf(this.place.bucket, key), 'PutObject');
    }
  }

  private save(): void {
    writeFileAtomic(this.statePath, `${JSON.stringify(this.state)}\n`);
  }
}

function readState(path: string): LocalState | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LocalState;
  } catch {
    return undefined;
  }
}
