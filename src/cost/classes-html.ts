/**
 * The report page's class section (--expect with few expected values): per-class figures and the
 * confusion matrix as a heat map, a table whose cells are shaded by the share of their expected
 * class's rows (so a small class's mistakes show as plainly as a big one's). Inline styles only:
 * the page stays one self-contained file, and html.ts's stylesheet is left as it is.
 */
import { type ClassMetrics, MAX_CLASSES } from '../score/classes.js';
import type { ClassReport, Report } from './aggregate.js';

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const CELL = 'padding:6px 8px;font-size:12.5px;text-align:right;border:1px solid #f1f5f9';
const HEAD = `${CELL};background:#f1f5f9;color:#475569`;
const LEFT = `${CELL};text-align:left`;

/** Blue for the diagonal (right), red off it (wrong); the deeper, the larger the row's share. */
function shade(share: number, diagonal: boolean): string {
  const alpha = (0.08 + 0.82 * share).toFixed(2);
  const ink = share > 0.55 ? '#fff' : '#0f172a';
  return `background:rgba(${diagonal ? '37,99,235' : '220,38,38'},${share === 0 ? 0 : alpha});color:${ink}`;
}

function heatMap(m: ClassMetrics, id: string): string {
  const head = `<tr><th style="${HEAD};text-align:left">expected \\ predicted</th>${m.predicted
    .map((p) => `<th style="${HEAD}">${esc(p)}</th>`)
    .join('')}</tr>`;
  const body = m.classes
    .map((c, i) => {
      const cells = m.matrix[i] ?? [];
      const support = cells.reduce((a, b) => a + b, 0);
      const tds = cells
        .map((n, j) => {
          const share = support === 0 ? 0 : n / support;
          const tip = `${n} of ${support} rows expecting ${c} predicted ${m.predicted[j] ?? ''} (${(share * 100).toFixed(1)}%)`;
          return `<td style="${CELL};${shade(share, i === j)}" title="${esc(tip)}">${n}</td>`;
        })
        .join('');
      return `<tr><th style="${LEFT}">${esc(c)}</th>${tds}</tr>`;
    })
    .join('');
  return `<div class="scroll"><table class="confusion" id="${id}"><thead>${head}</thead><tbody>${body}</tbody></table></div>`;
}

function figures(m: ClassMetrics): string {
  const f = (x: number) => x.toFixed(3);
  const row = (cells: string[]) =>
    `<tr>${cells.map((c, i) => (i === 0 ? `<th style="${LEFT}">${esc(c)}</th>` : `<td style="${CELL}">${esc(c)}</td>`)).join('')}</tr>`;
  const rows = [
    ...m.perClass.map((c) => [c.class, f(c.precision), f(c.recall), f(c.f1), String(c.support)]),
    ['macro avg', f(m.macro.precision), f(m.macro.recall), f(m.macro.f1), String(m.rows)],
    ['micro avg', f(m.micro.precision), f(m.micro.recall), f(m.micro.f1), String(m.rows)],
  ];
  const head = ['class', 'precision', 'recall', 'f1', 'support']
    .map((h, i) => `<th style="${HEAD}${i === 0 ? ';text-align:left' : ''}">${h}</th>`)
    .join('');
  return `<div class="scroll"><table class="class-figures"><thead><tr>${head}</tr></thead><tbody>${rows.map(row).join('')}</tbody></table></div>`;
}

function section(c: ClassReport, index: number): string {
  const name = c.name === '' ? 'response' : c.name;
  if (!c.metrics)
    return `<section><h2>Classes of ${esc(name)}</h2><p class="note">More than ${MAX_CLASSES} distinct expected values: no per-class figures.</p></section>`;
  return `<section><h2>Classes of ${esc(name)} <span style="color:#64748b;font-weight:400">(${c.metrics.rows} scored rows)</span></h2>${figures(c.metrics)}<h2>Confusion matrix of ${esc(name)} (rows: expected, columns: predicted)</h2>${heatMap(c.metrics, `confusion-${index}`)}</section>`;
}

/** The sections for the report page; '' when the results were not scored. */
export function classesHtml(report: Report): string {
  return (report.classes ?? []).map(section).join('');
}
