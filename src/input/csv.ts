/**
 * Reads a CSV file (header row, RFC 4180, CRLF, Excel's UTF-8 BOM) as rows, and turns
 * csv-parse's errors into `file:line: what is wrong` input errors. Lines may end in LF or CRLF,
 * mixed within one file (a CRLF export with a line appended by a Unix tool); the bytes are checked
 * to be UTF-8 text first (bytes.ts). A small file is parsed whole, a big one streamed; both read
 * the same rows and fail with the same messages.
 */
import { readFileSync, statSync } from 'node:fs';
import { CsvError, type OptionsWithColumns, parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { RunBatchError } from '../errors.js';
import { checkedBytes, checkedWhole } from './bytes.js';
import { type InputRow, type RowSource, readError } from './row.js';

/** The context csv-parse attaches to its errors. */
interface CsvFailure {
  code: string;
  message: string;
  lines?: number;
  empty_lines?: number;
  column?: string | number | null;
  columns?: unknown;
  record?: unknown[];
}

/**
 * Files up to this size are parsed whole, bigger ones streamed. Streamed, csv-parse checks at every
 * byte whether it must wait for the next chunk, which halves its speed; for the inputs most runs
 * have, that was most of the check pass every row goes through before the first call is sent.
 */
export const WHOLE_FILE_BYTES = 1 << 20;

export interface CsvOptions {
  /** @default WHOLE_FILE_BYTES */
  wholeFileBytes?: number;
}

export function csvSource(path: string, label = path, options: CsvOptions = {}): RowSource {
  let header: string[] = [];
  const wholeFileBytes = options.wholeFileBytes ?? WHOLE_FILE_BYTES;
  // The last file parsed whole: a pass that finds the same bytes again has the same rows, so the
  // run's pass after the check pass starts at once instead of parsing the file a second time.
  let parsed: Parsed | undefined;
  return {
    columns: () => header,
    async *rows(): AsyncIterable<InputRow> {
      // Line numbers are counted here, synchronously as csv-parse accepts each record, so they are
      // right even when it fails on a later record still in the same chunk. (csv-parse's own count
      // drifts on CRLF inside quoted fields.) A record spans 1 + (newlines inside its fields) lines,
      // and skipped blank lines come between records.
      let nextLine: number | undefined;
      let emptyLines = 0;
      let index = 0;
      const startLine = (emptyNow: number) => (nextLine ??= 1 + headerLines(header)) + emptyNow - emptyLines;
      const options: ParseOptions = {
        bom: true,
        columns: (names: string[]) => {
          header = checkHeader(names, label);
          return header;
        },
        skip_empty_lines: true,
        // Both, always: csv-parse otherwise takes the first line's ending for the whole file, and
        // then reads `b\r` as a value (LF file, one CRLF line) or a CRLF file's one LF line as a
        // field of its neighbour. A bare CR stays data (it is quoted when written back).
        record_delimiter: ['\r\n', '\n'],
      };
      const onRecord = (record: Record<string, string>, context: { empty_lines: number }): InputRow => {
        const line = startLine(context.empty_lines);
        nextLine = line + 1 + newlinesIn(record);
        emptyLines = context.empty_lines;
        return { index: index++, line, data: record };
      };
      try {
        if (isSmall(path, wholeFileBytes)) {
          // Bytes already checked and parsed need neither again.
          const bytes = readFileSync(path);
          const whole = parsed?.bytes.equals(bytes)
            ? parsed
            : parseWhole(checkedWhole(bytes, label), options, onRecord);
          // A failed parse is not kept: its message's line is counted while the rows are parsed.
          parsed = whole.failure === undefined ? whole : undefined;
          yield* whole.rows;
          if (whole.failure !== undefined) throw whole.failure;
        } else yield* streamed(path, label, { ...options, on_record: onRecord });
      } catch (error) {
        if (!(error instanceof CsvError)) throw readError(label, error);
        const failure = error as unknown as CsvFailure;
        const line = startLine(failure.empty_lines ?? emptyLines);
        throw new RunBatchError('INPUT', `${label}:${line}: ${describe(failure)}`, { cause: error });
      }
    },
  };
}

type ParseOptions = OptionsWithColumns<InputRow, Record<string, string>>;
type OnRecord = (record: Record<string, string>, context: { empty_lines: number }) => InputRow;

/** A size that cannot be read (no such file) goes the streamed way, which reports it. */
function isSmall(path: string, wholeFileBytes: number): boolean {
  try {
    return statSync(path).size <= wholeFileBytes;
  } catch {
    return false;
  }
}

interface Parsed {
  bytes: Buffer;
  rows: InputRow[];
  /** What stopped the parse; the rows before it are read first, as a stream reads them. */
  failure?: unknown;
}

function parseWhole(bytes: Buffer, options: ParseOptions, onRecord: OnRecord): Parsed {
  const parsed: Parsed = { bytes, rows: [] };
  try {
    parseSync(bytes, {
      ...options,
      // Kept here rather than in csv-parse's result, so the rows before an error are not lost.
      on_record: (record, context) => {
        parsed.rows.push(onRecord(record, context));
        return undefined;
      },
    });
  } catch (error) {
    parsed.failure = error;
  }
  return parsed;
}

async function* streamed(path: string, label: string, options: ParseOptions): AsyncIterable<InputRow> {
  const parser = parse(options);
  // pipe() does not forward a read error (a missing file, bytes that are not UTF-8) to the
  // parser; pass it on by hand.
  checkedBytes(path, label)
    .on('error', (error) => parser.destroy(error))
    .pipe(parser);
  for await (const row of parser as AsyncIterable<InputRow>) yield row;
}

function newlinesIn(record: Record<string, string>): number {
  let n = 0;
  for (const key in record) {
    const value = record[key] as string;
    for (let i = value.indexOf('\n'); i >= 0; i = value.indexOf('\n', i + 1)) n++;
  }
  return n;
}

function headerLines(header: string[]): number {
  return header.reduce((n, name) => n + name.split('\n').length - 1, 1);
}

/**
 * The header as column names: a name written twice is an error; an empty name becomes
 * `column_<position>`, or `column_<position>_2` (and so on) when the file already has a column of
 * that name, so a made-up name never clashes with a real one.
 */
function checkHeader(names: string[], label: string): string[] {
  const written = new Set<string>();
  for (const name of names) {
    if (name.trim() === '') continue;
    if (written.has(name))
      throw new RunBatchError('INPUT', `${label}:1: column "${name}" appears twice in the header`);
    written.add(name);
  }
  const taken = new Set(written);
  return names.map((raw, i) => {
    if (raw.trim() !== '') return raw;
    let name = `column_${i + 1}`;
    for (let n = 2; taken.has(name); n++) name = `column_${i + 1}_${n}`;
    taken.add(name);
    return name;
  });
}

function describe(failure: CsvFailure): string {
  const column = typeof failure.column === 'string' ? ` in column "${failure.column}"` : '';
  switch (failure.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return `unclosed quote${column}: the file ends inside a quoted field`;
    case 'INVALID_OPENING_QUOTE':
      return `a quote inside an unquoted field${column}; quote the whole field and double inner quotes ("a ""b"" c")`;
    case 'CSV_INVALID_CLOSING_QUOTE':
      return `text after a closing quote${column}; double the quotes inside a quoted field ("a ""b"" c")`;
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': {
      const expected = Array.isArray(failure.columns) ? failure.columns.length : 'as many';
      return `expected ${expected} fields as in the header, got ${failure.record?.length ?? 'a different number'}`;
    }
    default:
      return failure.message;
  }
}
