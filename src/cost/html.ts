/**
 * A report as one self-contained HTML page: inline CSS, inline SVG bar charts of cost and of
 * tokens by group, headline totals and the full table. No scripts, fonts or images from anywhere,
 * so it opens the same offline, attached to an email or in a CI artifact.
 */
import { type GroupTotals, groupCost, type Report } from './aggregate.js';
import { classesHtml } from './classes-html.js';
import { dollars, exactUsd } from './money.js';
import { cacheNote, displayCells, HEADINGS, num, unpricedNote } from './render.js';

const WIDTH = 820;
const LABEL_WIDTH = 300;
const VALUE_WIDTH = 130;
const BAR = 22;
const GAP = 10;
const TOP = 8;

const TOKEN_PARTS = [
  { key: 'inputTokens', name: 'input', color: '#2563eb' },
  { key: 'outputTokens', name: 'output', color: '#f59e0b' },
  { key: 'cacheReadTokens', name: 'cache read', color: '#10b981' },
  { key: 'cacheWriteTokens', name: 'cache write', color: '#a855f7' },
] as const;

export function renderHtml(report: Report): string {
  const { total, by } = report;
  const totalCost = groupCost(total);
  const cards = [
    card(
      'Total cost',
      'total-cost',
      totalCost === null ? 'unpriced' : dollars(totalCost),
      totalCost === null ? 'no row could be priced' : `exactly $${exactUsd(totalCost)}`,
    ),
    card(
      'Rows',
      'total-rows',
      num(total.rows),
      `${num(total.ok)} ok · ${num(total.error)} error · ${num(total.unpriced)} unpriced`,
    ),
    card(
      'Input tokens',
      'total-input',
      num(total.inputTokens),
      `+ ${num(total.cacheReadTokens)} cache read, ${num(total.cacheWriteTokens)} cache write`,
    ),
    card(
      'Output tokens',
      'total-output',
      num(total.outputTokens),
      `${num(report.groups.length)} ${by} groups`,
    ),
    card(
      'Caching saved',
      'cache-saved',
      total.cachedRows === 0 ? '—' : dollars(total.cacheSaved),
      total.cachedRows === 0
        ? 'no row used the prompt cache'
        : `${num(total.cachedRows)} cached rows · without caching: ${dollars(groupCostOrZero(total) + total.cacheSaved)}`,
    ),
  ];
  const note = [unpricedNote(report), cacheNote(report)].filter((n) => n !== undefined).join(' ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>run-batch report by ${esc(by)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>run-batch report <span>by ${esc(by)}</span></h1>
<p class="files">${num(total.rows)} rows from ${report.files.map((f) => `<code>${esc(f)}</code>`).join(', ')}</p>
<section class="cards">${cards.join('')}</section>
<section><h2>Cost by ${esc(by)}</h2>${costChart(report)}</section>
<section><h2>Tokens by ${esc(by)}</h2>${tokenChart(report)}</section>
<section><h2>Totals by ${esc(by)}</h2>${table(report)}${note ? `<p class="note">${esc(note)}</p>` : ''}</section>
${classesHtml(report)}
<footer>Costs are the exact sums of each row's <code>cost_usd</code>, as recorded when the row ran.</footer>
</main>
</body>
</html>
`;
}

function groupCostOrZero(group: GroupTotals): bigint {
  return groupCost(group) ?? 0n;
}

function card(label: string, id: string, value: string, sub: string): string {
  return `<div class="card"><div class="label">${esc(label)}</div><div class="value" id="${id}">${esc(value)}</div><div class="sub">${esc(sub)}</div></div>`;
}

function chartFrame(id: string, title: string, rows: number, body: string, legend = ''): string {
  const height = TOP + rows * (BAR + GAP) + (legend ? 28 : 0);
  return `<svg id="${id}" class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg">${legend}${body}</svg>`;
}

function label(text: string, y: number): string {
  return `<text class="key" x="${LABEL_WIDTH - 10}" y="${y + BAR / 2}" text-anchor="end" dominant-baseline="central">${esc(shortKey(text))}<title>${esc(text)}</title></text>`;
}

/** Model ids as `us.anthropic.claude-...`: the profile prefix, the vendor, the rest. */
const MODEL_ID = /^((?:us|eu|apac|global|jp|au|ca|us-gov)\.)?([a-z0-9-]+)\.([a-z0-9].*)$/;

/**
 * A label that fits 40 characters (12px monospace is about 7.2px a character: 40 fit the label's
 * 290px) and keeps what tells groups apart: the `us.`/`eu.`/`global.` prefix and the model name
 * stay, the vendor (`anthropic.`) goes first, then the middle; an ARN keeps only its id.
 */
export function shortKey(text: string, max = 40): string {
  if (text.length <= max) return text;
  const id = text.startsWith('arn:') && text.includes('/') ? text.slice(text.lastIndexOf('/') + 1) : text;
  const model = id.includes('/') ? null : MODEL_ID.exec(id);
  const shorter = model ? `${model[1] ?? ''}${model[3]}` : id;
  if (shorter.length <= max) return shorter;
  const head = Math.ceil((max - 1) / 2);
  return `${shorter.slice(0, head)}…${shorter.slice(shorter.length - (max - 1 - head))}`;
}

function costChart(report: Report): string {
  const costs = report.groups.map((g) => groupCost(g));
  const max = costs.reduce<number>((m, c) => Math.max(m, c === null ? 0 : Number(c)), 0);
  const span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const body = report.groups
    .map((g, i) => {
      const y = TOP + i * (BAR + GAP);
      const cost = costs[i] ?? null;
      if (cost === null)
        return `${label(g.key, y)}<text class="value muted" x="${LABEL_WIDTH}" y="${y + BAR / 2}" dominant-baseline="central">unpriced (${num(g.unpriced)} ${g.unpriced === 1 ? 'row' : 'rows'})</text>`;
      // A cost too small to see still gets a sliver; a zero cost gets none.
      const w = cost > 0n && max > 0 ? Math.max(1, (Number(cost) / max) * span) : 0;
      return `${label(g.key, y)}<rect class="bar" data-key="${esc(g.key)}" x="${LABEL_WIDTH}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" rx="3" fill="#2563eb"><title>${esc(g.key)}: $${exactUsd(cost)}</title></rect><text class="value" x="${(LABEL_WIDTH + w + 8).toFixed(1)}" y="${y + BAR / 2}" dominant-baseline="central">${esc(dollars(cost))}</text>`;
    })
    .join('');
  return chartFrame('cost-chart', `Cost by ${report.by}`, report.groups.length, body);
}

function tokenChart(report: Report): string {
  const totalOf = (g: GroupTotals) => TOKEN_PARTS.reduce((sum, p) => sum + g[p.key], 0);
  const max = report.groups.reduce((m, g) => Math.max(m, totalOf(g)), 0);
  const span = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const legend = TOKEN_PARTS.map(
    (p, i) =>
      `<rect x="${LABEL_WIDTH + i * 120}" y="4" width="12" height="12" rx="2" fill="${p.color}"/><text class="legend" x="${LABEL_WIDTH + i * 120 + 18}" y="10" dominant-baseline="central">${p.name}</text>`,
  ).join('');
  const body = report.groups
    .map((g, i) => {
      const y = 28 + TOP + i * (BAR + GAP);
      let x = LABEL_WIDTH;
      const parts = TOKEN_PARTS.filter((p) => g[p.key] > 0).map((p) => {
        const w = max > 0 ? (g[p.key] / max) * span : 0;
        const rect = `<rect class="bar" x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" fill="${p.color}"><title>${esc(g.key)}: ${num(g[p.key])} ${p.name} tokens</title></rect>`;
        x += w;
        return rect;
      });
      return `${label(g.key, y)}${parts.join('')}<text class="value" x="${(x + 8).toFixed(1)}" y="${y + BAR / 2}" dominant-baseline="central">${num(totalOf(g))}</text>`;
    })
    .join('');
  return chartFrame('tokens-chart', `Tokens by ${report.by}`, report.groups.length, body, legend);
}

function table(report: Report): string {
  const head = [report.by, ...HEADINGS];
  const row = (cells: string[], tag = 'td') =>
    `<tr>${cells.map((c, i) => `<${i === 0 ? 'th' : tag}>${esc(c)}</${i === 0 ? 'th' : tag}>`).join('')}</tr>`;
  return `<div class="scroll"><table id="totals"><thead>${row(head, 'th')}</thead><tbody>${report.groups
    .map((g) => row([g.key, ...displayCells(g)]))
    .join('')}</tbody><tfoot>${row(['total', ...displayCells(report.total)])}</tfoot></table></div>`;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f8fafc;color:#0f172a;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:1200px;margin:0 auto;padding:28px 24px 40px}
h1{font-size:22px;margin:0 0 4px}h1 span{color:#64748b;font-weight:500}
h2{font-size:15px;margin:28px 0 10px;color:#334155}
.files{color:#64748b;margin:0 0 18px}code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#e2e8f0;border-radius:4px;padding:1px 4px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:12px}
.card{background:#fff;border:1px solid #e2e8f0;border-radius:10px;padding:12px 14px}
.card .label{color:#64748b;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .value{font-size:24px;font-weight:650;margin:2px 0;font-variant-numeric:tabular-nums}
.card .sub{color:#64748b;font-size:12px}
.chart{display:block;max-width:100%;height:auto;background:#fff;border:1px solid #e2e8f0;border-radius:10px;padding:10px 0}
.chart text{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;fill:#0f172a}
.chart text.muted{fill:#94a3b8}.chart text.legend{fill:#475569}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid #e2e8f0;border-radius:10px;overflow:hidden;font-variant-numeric:tabular-nums}
th,td{padding:6px 8px;font-size:12.5px;border-bottom:1px solid #f1f5f9;text-align:right;white-space:nowrap}
tbody th,tfoot th,thead th:first-child{text-align:left;font-weight:500}
tbody th{white-space:normal;overflow-wrap:anywhere;min-width:14ch;max-width:32ch}
thead th{background:#f1f5f9;color:#475569;font-size:12px}
tfoot th,tfoot td{font-weight:650;border-top:2px solid #cbd5e1}
.scroll{overflow-x:auto}
.note{color:#64748b;font-size:12px}
footer{margin-top:24px;color:#94a3b8;font-size:12px}
`;
