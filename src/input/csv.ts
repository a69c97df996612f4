/**
 * Streams a CSV file (header row, RFC 4180, CRLF, Excel's UTF-8 BOM) as rows, and turns
 * csv-parse's errors into `file:line: what is wrong` input errors. Lines may end in LF or CRLF,
 * mixed within one file (a CRLF export with a line appended by a Unix tool); the bytes are checked
 * to be UTF-8 text first (bytes.ts).
 */
import { CsvError, parse } from 'csv-parse';
import { RunBatchError } from '../errors.js';
import { checkedBytes } from './bytes.js';
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

export function csvSource(path: string, label = path): RowSource {
  let header: string[] = [];
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
      const parser = parse({
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
        on_record: (record: Record<string, string>, context: { empty_lines: number }): InputRow => {
          const line = startLine(context.empty_lines);
          nextLine = line + 1 + newlinesIn(record);
          emptyLines = context.empty_lines;
          return { index: index++, line, data: record };
        },
      });
      // pipe() does not forward a read error (a missing file, bytes that are not UTF-8) to the
      // parser; pass it on by hand.
      checkedBytes(path, label)
        .on('error', (error) => parser.destroy(error))
        .pipe(parser);
      try {
        for await (const row of parser as AsyncIterable<InputRow>) yield row;
      } catch (error) {
        if (!(error instanceof CsvError)) throw readError(label, error);
        const failure = error as unknown as CsvFailure;
        const line = startLine(failure.empty_lines ?? emptyLines);
        throw new RunBatchError('INPUT', `${label}:${line}: ${describe(failure)}`, { cause: error });
      }
    },
  };
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
