/**
 * `compare --format html`: one self-contained page (no script, stylesheet or font from anywhere)
 * plotting accuracy against cost per 1,000 rows, one point per model and pricing mode, the
 * cheapest point at or above --min-accuracy marked, and the comparison table under it.
 */
import { shortKey } from '../cost/html.js';
import { type Comparison, MODES, type Mode } from './build.js';
import { renderCompareMarkdown } from './render.js';

interface Point {
  label: string;
  mode: Mode;
  accuracy: number;
  per1k: number;
}

const W = 940;
const H = 420;
const PAD = { left: 70, right: 250, top: 20, bottom: 50 };
const COLORS: Record<Mode, string> = { on_demand: '#1f6feb', flex: '#2da44e', batch: '#bf8700' };

/** Each line's cost per 1,000 rows at each mode's prices (from the projection's ratio to on-demand). */
export function points(c: Comparison): Point[] {
  const out: Point[] = [];
  for (const l of c.lines) {
    if (l.accuracy === null || l.costPer1k === null) continue;
    for (const mode of MODES) {
      const ratio = mode === 'on_demand' ? 1 : modeRatio(l.projected[mode], l.projected.on_demand);
      if (ratio === null) continue;
      out.push({ label: `${l.model} (${l.file})`, mode, accuracy: l.accuracy, per1k: l.costPer1k * ratio });
    }
  }
  return out;
}

function modeRatio(mode: number | null, onDemand: number | null): number | null {
  if (mode === null || onDemand === null || onDemand === 0) return null;
  return mode / onDemand;
}

/** The cheapest point whose accuracy is at least min (undefined when none is). */
export function cheapestAbove(list: readonly Point[], min: number): Point | undefined {
  return [...list].filter((p) => p.accuracy >= min).sort((a, b) => a.per1k - b.per1k)[0];
}

export function renderCompareHtml(c: Comparison, minAccuracy: number): string {
  const list = points(c);
  const best = cheapestAbove(list, minAccuracy);
  const maxCost = Math.max(0.0001, ...list.map((p) => p.per1k)) * 1.1;
  const x = (v: number) => PAD.left + (v / maxCost) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - v * (H - PAD.top - PAD.bottom);
  const dots = list
    .map((p) => {
      const mark = p === best ? ` stroke="#cf222e" stroke-width="3" r="9"` : ' r="6"';
      return `<circle class="point" data-mode="${p.mode}" cx="${x(p.per1k).toFixed(1)}" cy="${y(p.accuracy).toFixed(1)}"${mark} fill="${COLORS[p.mode]}"><title>${esc(p.label)} ${p.mode}: ${(p.accuracy * 100).toFixed(1)}%, $${p.per1k.toFixed(4)} per 1,000 rows</title></circle>`;
    })
    .join('\n');
  // The on-demand point carries the model's name; flex and batch sit to its left on the same line.
  const names = list
    .filter((p) => p.mode === 'on_demand')
    .map(
      (p) =>
        `<text class="name" x="${(x(p.per1k) + 10).toFixed(1)}" y="${(y(p.accuracy) - 8).toFixed(1)}">${esc(shortKey(p.label.split(' ')[0] ?? '', 34))}</text>`,
    )
    .join('');
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (t) =>
        `<text x="${PAD.left - 8}" y="${y(t) + 4}" text-anchor="end">${t * 100}%</text><line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/>`,
    )
    .join('');
  const xticks = [0, 0.5, 1]
    .map(
      (t) =>
        `<text x="${x(t * maxCost)}" y="${H - PAD.bottom + 18}" text-anchor="middle">$${(t * maxCost).toFixed(4)}</text>`,
    )
    .join('');
  const threshold = `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(minAccuracy)}" y2="${y(minAccuracy)}" stroke="#cf222e" stroke-dasharray="4 4"/>`;
  const legend = MODES.map(
    (m) => `<span><i style="background:${COLORS[m]}"></i>${m.replace('_', '-')}</span>`,
  ).join(' ');
  const verdict = best
    ? `Cheapest at or above ${(minAccuracy * 100).toFixed(0)}% accuracy: <b id="best">${esc(best.label)}, ${best.mode.replace('_', '-')}</b> at $${best.per1k.toFixed(4)} per 1,000 rows (${(best.accuracy * 100).toFixed(1)}%).`
    : `<span id="best">No model reaches ${(minAccuracy * 100).toFixed(0)}% accuracy.</span>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>run-batch compare</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#1f2328;max-width:1360px}
svg text{font-size:12px;fill:#57606a}
.legend span{margin-right:16px}.legend i{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:4px}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #d0d7de;padding:3px 6px;text-align:right}
td:nth-child(-n+2),th:nth-child(-n+2){text-align:left}
</style></head><body>
<h1>Accuracy against cost per 1,000 rows</h1>
<p>${verdict}</p>
<p class="legend">${legend} <span>dashed: --min-accuracy</span></p>
<svg id="chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="accuracy against cost per 1,000 rows">
${ticks}${xticks}${threshold}
<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#8c959f"/>
<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}" stroke="#8c959f"/>
<text x="${(W + PAD.left) / 2}" y="${H - 12}" text-anchor="middle">USD per 1,000 rows</text>
${dots}
${names}
</svg>
${table(c)}
</body></html>
`;
}

/** The Markdown table as HTML (same columns, same rounding). */
function table(c: Comparison): string {
  const md = renderCompareMarkdown(c).split('\n\n');
  const rows = (md[0] ?? '').split('\n').filter((_, i) => i !== 1);
  const cells = (r: string) => r.slice(2, -2).split(' | ');
  const [head, ...body] = rows;
  return `<table id="models"><thead><tr>${cells(head ?? '')
    .map((h) => `<th>${esc(h)}</th>`)
    .join('')}</tr></thead><tbody>${body
    .map(
      (r) =>
        `<tr>${cells(r)
          .map((v) => `<td>${esc(v.replace(/\\\|/g, '|'))}</td>`)
          .join('')}</tr>`,
    )
    .join('')}</tbody></table>
<p>${esc(md[1] ?? '').replace(/\n/g, '<br>')}</p>`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
