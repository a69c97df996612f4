/**
 * Money without float drift. Every cost is an integer number of picodollars (1e-12 USD): a price
 * per 1,000 tokens with up to 9 decimals is a whole number of picodollars per token, so a row's
 * cost is exact, and totals are sums of integers (bigint) that every report format rounds the same
 * way. `cost_usd` in a results file is a row's exact cost as a plain number, which converts back
 * to the same picodollars.
 */

/** Picodollars: 1 USD = 1e12. */
export type Pico = bigint;

/** A price in USD per 1,000 tokens, as picodollars per token (rounded to the picodollar). */
export function perTokenPico(pricePer1k: number): Pico {
  return BigInt(Math.round(pricePer1k * 1e9));
}

/**
 * A row's cost as the number written to `cost_usd`. Exact for any row cost under about $9,000
 * (2^53 picodollars), since such an integer over 1e12 round-trips through its shortest decimal.
 */
export function usdNumber(pico: Pico): number {
  return Number(pico) / 1e12;
}

/** The picodollars a `cost_usd` value stands for. */
export function picoFromUsd(usd: number): Pico {
  return BigInt(Math.round(usd * 1e12));
}

/**
 * A `cost_usd` cell: '' (or null) is "no cost" (unpriced, or a failed row), anything else must be a
 * non-negative number. Returns undefined for a value that is not one, so the caller can name it.
 */
export function parseCostCell(value: unknown): Pico | null | undefined {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n < 0) return undefined;
  return picoFromUsd(n);
}

/** Rounds half up to `decimals` places (0 to 12) and prints without exponent: 1234567n, 4 -> "0.0000". */
export function formatUsd(pico: Pico, decimals: number): string {
  const scale = 10n ** BigInt(12 - decimals);
  const negative = pico < 0n;
  const abs = negative ? -pico : pico;
  const rounded = (abs + scale / 2n) / scale;
  const unit = 10n ** BigInt(decimals);
  const whole = rounded / unit;
  const fraction = (rounded % unit).toString().padStart(decimals, '0');
  return `${negative ? '-' : ''}${whole}${decimals > 0 ? `.${fraction}` : ''}`;
}

/** The exact amount in USD as a decimal string, trailing zeros dropped: 1630000000n -> "0.00163". */
export function exactUsd(pico: Pico): string {
  const text = formatUsd(pico, 12);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** How people read a cost: "$0.0123". */
export function dollars(pico: Pico, decimals = 4): string {
  return `$${formatUsd(pico, decimals)}`;
}

/**
 * A count with thousands separators, as `toLocaleString('en-US')` writes it. Whole numbers are
 * grouped here: the first toLocaleString of a process loads ICU's number formatting, about 17 ms of
 * a run's end on the summary's critical path. Anything else still goes to toLocaleString.
 */
export function grouped(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let text = '';
  for (let end = digits.length; end > 0; end -= 3) {
    text = digits.slice(Math.max(0, end - 3), end) + (text ? `,${text}` : '');
  }
  return n < 0 ? `-${text}` : text;
}
