/**
 * The pricing table: what one model costs per 1,000 tokens, how a table file is checked, and how a
 * model id (a base id, an inference-profile id or an ARN) finds its price. The shipped table is
 * data (prices.json); `--pricing FILE` has the same shape and its entries replace or add models.
 */
import { baseModelId } from '../bedrock/models.js';
import { RunBatchError } from '../errors.js';
import shipped from './prices.json' with { type: 'json' };

/** USD per 1,000 tokens. `null`: the model has no such price (or none is known). */
export interface ModelPrice {
  input: number;
  output: number;
  cacheRead: number | null;
  cacheWrite: number | null;
  batchInput: number | null;
  batchOutput: number | null;
  /** The 1-hour cache write (`cacheWrite` is the 5-minute one); null when the model has none. */
  cacheWrite1h?: number | null;
  flexInput?: number | null;
  flexOutput?: number | null;
  priorityInput?: number | null;
  priorityOutput?: number | null;
  /** What AWS adds on geo and in-region ids over `global.` ones, as a share (0.1 = 10%). */
  regionalPremium?: number;
  /** Key into the table's `sources`. */
  source?: string;
  /** When the figures were read from their source. */
  asOf?: string;
  /** False when the figure could not be checked against an AWS price page. */
  verified?: boolean;
  /** Fields taken from a rule or second-hand, not read off a price page. */
  unconfirmed?: string[];
  note?: string;
}

export interface PriceTable {
  asOf: string;
  sources: Record<string, string>;
  models: Record<string, ModelPrice>;
  /** Where each override came from, for messages; empty for the shipped table. */
  files: string[];
  /**
   * Model ids priced as another: an inference profile's ARN -> the model id it resolved to
   * (bedrock/inference-profile.ts), so a profile is priced as its model, never by its own id.
   */
  aliases?: Record<string, string>;
}

/** The id a model id is priced as: its alias (a resolved inference profile), else itself. */
export function pricedId(table: PriceTable, modelId: string): string {
  return table.aliases?.[modelId] ?? modelId;
}

const PRICE_FIELDS = ['input', 'output', 'cacheRead', 'cacheWrite', 'batchInput', 'batchOutput'] as const;
/** Prices a file may leave out altogether (older tables have none of them). */
const OPTIONAL_PRICES = [
  'cacheWrite1h',
  'flexInput',
  'flexOutput',
  'priorityInput',
  'priorityOutput',
] as const;
const REQUIRED_FIELDS = new Set<string>(['input', 'output']);
const INFO_FIELDS = ['regionalPremium', 'source', 'asOf', 'verified', 'unconfirmed', 'note'] as const;
const TOP_FIELDS = new Set(['asOf', 'currency', 'unit', 'notes', 'sources', 'models']);

/**
 * Checks a parsed table file and returns its entries. Every mistake is a CONFIG error (exit 2) that
 * names the file, the model key and the field, and quotes the bad value.
 */
export function parsePriceTable(data: unknown, label: string): Omit<PriceTable, 'files'> {
  const fail = (what: string): never => {
    throw new RunBatchError('CONFIG', `${label}: ${what}`);
  };
  if (!isObject(data)) fail(`must be an object with a "models" map, got ${describe(data)}`);
  const table = data as Record<string, unknown>;
  for (const key of Object.keys(table)) {
    if (!TOP_FIELDS.has(key)) fail(`unknown key "${key}"; a pricing file has ${[...TOP_FIELDS].join(', ')}`);
  }
  if (!isObject(table.models))
    fail(`"models" must be a map of model id to prices, got ${describe(table.models)}`);
  if (table.asOf !== undefined && typeof table.asOf !== 'string')
    fail(`"asOf" must be a date text, got ${describe(table.asOf)}`);
  const sources: Record<string, string> = {};
  if (table.sources !== undefined) {
    if (!isObject(table.sources))
      fail(`"sources" must be a map of name to text, got ${describe(table.sources)}`);
    for (const [name, text] of Object.entries(table.sources as Record<string, unknown>)) {
      if (typeof text !== 'string') fail(`sources["${name}"] must be a text, got ${describe(text)}`);
      sources[name] = text as string;
    }
  }
  const models: Record<string, ModelPrice> = {};
  for (const [id, entry] of Object.entries(table.models as Record<string, unknown>)) {
    models[id] = parseEntry(entry, `models["${id}"]`, fail);
  }
  return { asOf: typeof table.asOf === 'string' ? table.asOf : '', sources, models };
}

function parseEntry(entry: unknown, at: string, fail: (what: string) => never): ModelPrice {
  if (!isObject(entry)) fail(`${at} must be an object of prices, got ${describe(entry)}`);
  const raw = entry as Record<string, unknown>;
  const known = new Set<string>([...PRICE_FIELDS, ...OPTIONAL_PRICES, ...INFO_FIELDS]);
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) fail(`${at}: unknown field "${key}"; the fields are ${[...known].join(', ')}`);
  }
  const price = {} as Record<(typeof PRICE_FIELDS)[number], number | null>;
  for (const field of PRICE_FIELDS) {
    const value = raw[field];
    if (value === undefined || value === null) {
      if (REQUIRED_FIELDS.has(field)) fail(`${at}.${field} is missing (USD per 1,000 tokens)`);
      price[field] = null;
    } else if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      fail(`${at}.${field} must be a number from 0 up (USD per 1,000 tokens), got ${describe(value)}`);
    } else {
      price[field] = value;
    }
  }
  const result: ModelPrice = {
    input: price.input as number,
    output: price.output as number,
    cacheRead: price.cacheRead,
    cacheWrite: price.cacheWrite,
    batchInput: price.batchInput,
    batchOutput: price.batchOutput,
  };
  for (const field of OPTIONAL_PRICES) {
    const value = raw[field];
    if (value === undefined) continue;
    if (value !== null && (typeof value !== 'number' || !Number.isFinite(value) || value < 0))
      fail(
        `${at}.${field} must be a number from 0 up (USD per 1,000 tokens) or null, got ${describe(value)}`,
      );
    result[field] = value as number | null;
  }
  if (raw.regionalPremium !== undefined) {
    const p = raw.regionalPremium;
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1)
      fail(`${at}.regionalPremium must be a share from 0 to 1 (0.1 = 10%), got ${describe(p)}`);
    result.regionalPremium = p as number;
  }
  if (raw.unconfirmed !== undefined) {
    if (!Array.isArray(raw.unconfirmed) || !raw.unconfirmed.every((f) => typeof f === 'string'))
      fail(`${at}.unconfirmed must be a list of field names, got ${describe(raw.unconfirmed)}`);
    result.unconfirmed = raw.unconfirmed as string[];
  }
  if (typeof raw.asOf === 'string') result.asOf = raw.asOf;
  if (typeof raw.source === 'string') result.source = raw.source;
  if (typeof raw.verified === 'boolean') result.verified = raw.verified;
  if (typeof raw.note === 'string') result.note = raw.note;
  return result;
}

/** The table that ships with the tool. */
export function shippedTable(): PriceTable {
  return { ...parsePriceTable(shipped, 'src/cost/prices.json'), files: [] };
}

/** The shipped table with a file's entries laid over it: a model in the file replaces the shipped one. */
export function mergeTables(base: PriceTable, override: Omit<PriceTable, 'files'>, file: string): PriceTable {
  return {
    asOf: override.asOf || base.asOf,
    sources: { ...base.sources, ...override.sources },
    models: { ...base.models, ...override.models },
    files: [...base.files, file],
  };
}

/**
 * The price of a model id: an exact entry first (so a file can price one inference profile apart),
 * then the id with its ARN and inference-profile prefix stripped.
 */
export function priceOf(table: PriceTable, modelId: string): ModelPrice | undefined {
  return findPrice(table, modelId)?.price;
}

/** The price and whether it is the exact id's own entry (which no regional premium is added to). */
export function findPrice(
  table: PriceTable,
  modelId: string,
): { price: ModelPrice; exact: boolean } | undefined {
  if (table.aliases?.[modelId] !== undefined)
    return findPrice({ ...table, aliases: {} }, pricedId(table, modelId));
  const base = baseModelId(modelId);
  for (const key of [modelId, arnTail(modelId)]) {
    const price = table.models[key];
    if (price) return { price, exact: key !== base };
  }
  const price = table.models[base];
  return price ? { price, exact: false } : undefined;
}

function arnTail(id: string): string {
  return id.startsWith('arn:') ? id.slice(id.lastIndexOf('/') + 1) : id;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'an object';
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
