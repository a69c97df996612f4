/**
 * --judge through the built CLI and the emulator: calls counted per model by the emulator, the
 * judge's cost computed here from its tokens and src/cost/prices.json (picodollars, as integers),
 * reruns that pay nothing, a new rubric that pays only verdicts, --max-cost over both, a failing
 * judge that leaves the answers ok, a throttled judge retried by the pool, and kill -9 mid-run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { killStartedClis, ROOT, runCli, startCli, waitFor, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';

const used = useEmulator();
afterEach(killStartedClis);

const ANSWERER = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
const JUDGE = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
const RUBRIC = 'A good summary names the subject and what happened, in one sentence.';

type Row = Record<string, string>;
const rows = (path: string) => parse(readFileSync(path), { columns: true }) as Row[];
const summaryOf = (path: string) => JSON.parse(readFileSync(`${path}.summary.json`, 'utf8'));

/** Picodollars per token from the price table (USD per 1,000 tokens): price x 1e9. */
function pricesOf(model: string): { input: bigint; output: bigint } {
  const table = JSON.parse(readFileSync(join(ROOT, 'src/cost/prices.json'), 'utf8'));
  const entry = table.models[model.replace(/^global\./, '')];
  return { input: BigInt(Math.round(entry.input * 1e9)), output: BigInt(Math.round(entry.output * 1e9)) };
}
const pico = (usd: string) => BigInt(Math.round(Number(usd) * 1e12));
const usdOf = (p: bigint) => Number(p) / 1e12;

function input(dir: string, n: number, extra = ''): string {
  const data = Array.from({ length: n }, (_, i) => ({
    id: `r${i + 1}`,
    text: `Ticket ${i + 1}: the printer on floor ${i + 2} jams on every job.${extra}`,
    summary: `The printer on floor ${i + 2} jams.`,
  }));
  writeFileSync(join(dir, 'in.csv'), stringify(data, { header: true }));
  return join(dir, 'in.results.csv');
}

const run = (dir: string, args: string[]) =>
  runCli(['in.csv', '--template', 'Summarize: {{text}}', '--judge', JUDGE, ...args], {
    cwd: dir,
    env: used.env(),
  });

/** The emulator counts by its catalogue's id for the model (the profile prefix may be dropped). */
function seenBy(model: string) {
  const byModel = used.emulator.stats().byModel;
  const base = model.replace(/^(global|us|eu|apac)\./, '');
  return Object.entries(byModel).find(([id]) => id === model || id.endsWith(base))?.[1];
}
const calls = (model: string) => seenBy(model)?.requests ?? 0;

describe('--judge', () => {
  it('N answers and N verdicts; judge_cost_usd is the judge tokens at its prices; reruns pay nothing', async () => {
    const dir = workdir();
    const out = input(dir, 6);
    const first = await run(dir, ['--rubric', RUBRIC, '--expect', 'summary']);
    expect(first.code).toBe(0);
    expect(calls(ANSWERER)).toBe(6);
    expect(calls(JUDGE)).toBe(6);
    const written = rows(out);
    const price = pricesOf(JUDGE);
    let judgePico = 0n;
    let answerPico = 0n;
    for (const row of written) {
      expect(row.status).toBe('ok');
      expect(['true', 'false']).toContain(row.judge_pass);
      expect(Number(row.judge_score)).toBeGreaterThanOrEqual(0);
      expect(Number(row.judge_score)).toBeLessThanOrEqual(1);
      expect(row.judge_reason).not.toBe('');
      expect(row.judge_error).toBe('');
      const cost =
        BigInt(row.judge_input_tokens ?? '') * price.input +
        BigInt(row.judge_output_tokens ?? '') * price.output;
      expect(pico(row.judge_cost_usd ?? '')).toBe(cost);
      judgePico += cost;
      answerPico += pico(row.cost_usd ?? '');
    }
    // The judge's tokens as the emulator counted them, not as run-batch wrote them.
    const seen = seenBy(JUDGE);
    expect(written.reduce((n, r) => n + Number(r.judge_input_tokens), 0)).toBe(seen?.inputTokens);
    expect(written.reduce((n, r) => n + Number(r.judge_output_tokens), 0)).toBe(seen?.outputTokens);
    // Apart: the answers' cost is the answers' alone.
    const summary = summaryOf(out);
    expect(pico(String(summary.costUsd))).toBe(answerPico);
    expect(pico(String(summary.judge.costUsd))).toBe(judgePico);
    expect(summary.judge).toMatchObject({ judged: 6, attempts: 6, failed: 0, notJudged: 0 });
    const passes = written.filter((r) => r.judge_pass === 'true').length;
    expect(summary.judge.passed).toBe(passes);
    expect(`${first.stdout}${first.stderr}`).toContain(`judge     ${passes} of 6 pass`);
    expect(`${first.stdout}${first.stderr}`).toContain(
      `$${usdOf(judgePico).toFixed(4)} for 6 judge calls (${JUDGE})`,
    );

    used.emulator.resetStats();
    const again = await run(dir, ['--rubric', RUBRIC, '--expect', 'summary']);
    expect(again.code).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
    expect(rows(out)).toEqual(written);

    // A new rubric: the answers are kept, only the verdicts are bought again.
    const before = written.map((r) => r.response);
    const rubric = join(dir, 'rubric.txt');
    writeFileSync(rubric, 'Pass when the summary is under twelve words.');
    const rejudged = await run(dir, ['--rubric', `@${rubric}`, '--expect', 'summary']);
    expect(rejudged.code).toBe(0);
    expect(calls(ANSWERER)).toBe(0);
    expect(calls(JUDGE)).toBe(6);
    const after = rows(out);
    expect(after.map((r) => r.response)).toEqual(before);
    expect(after.map((r) => r.judge_hash)).not.toEqual(written.map((r) => r.judge_hash));

    // The verdicts are in the ledger: another results file for the same rows makes no call.
    used.emulator.resetStats();
    const elsewhere = await run(dir, ['--rubric', `@${rubric}`, '--expect', 'summary', '-o', 'other.csv']);
    expect(elsewhere.code).toBe(0);
    expect(used.emulator.stats().requests).toBe(0);
    expect(rows(join(dir, 'other.csv')).map((r) => r.judge_reason)).toEqual(after.map((r) => r.judge_reason));
    expect(`${elsewhere.stdout}${elsewhere.stderr}`).toContain('6 from the ledger');
    // That file paid nothing for them (as paid_usd): the report over both files counts each once.
    expect(rows(join(dir, 'other.csv')).map((r) => r.judge_cost_usd)).toEqual(Array(6).fill('0'));
    const paid = after.reduce((sum, r) => sum + pico(r.judge_cost_usd ?? ''), 0n);
    const report = await runCli(['report', out, join(dir, 'other.csv'), '--format', 'json'], {
      cwd: dir,
      env: used.env(),
    });
    expect(report.code).toBe(0);
    const totals = JSON.parse(report.stdout).total;
    expect(totals.judged_rows).toBe(12);
    expect(pico(String(totals.judge_usd))).toBe(paid);
    expect(pico(String(totals.cost_usd))).toBe(answerPico);
  });

  it('judges without --expect, and a results file from a run without --judge keeps its answers', async () => {
    const dir = workdir();
    const out = input(dir, 4);
    const plain = await runCli(['in.csv', '--template', 'Summarize: {{text}}'], {
      cwd: dir,
      env: used.env(),
    });
    expect(plain.code).toBe(0);
    used.emulator.resetStats();
    const judged = await run(dir, ['--rubric', RUBRIC]);
    expect(judged.code).toBe(0);
    expect(calls(ANSWERER)).toBe(0);
    expect(calls(JUDGE)).toBe(4);
    expect(rows(out).every((r) => r.judge_reason !== '' && r.judge_error === '')).toBe(true);
  });

  it('a failing judge leaves the answers ok with judge_error (exit 1); the next run asks it again', async () => {
    const dir = workdir();
    const out = input(dir, 3);
    const failing = await run(dir, ['--rubric', `${RUBRIC} [[emulator:error=AccessDeniedException]]`]);
    expect(failing.code).toBe(1);
    for (const row of rows(out)) {
      expect(row.status).toBe('ok');
      expect(row.response).not.toBe('');
      expect(row.judge_pass).toBe('');
      expect(row.judge_error).toMatch(/^AccessDeniedException: /);
    }
    expect(summaryOf(out).judge).toMatchObject({ judged: 0, failed: 3 });
    used.emulator.resetStats();
    const fixed = await run(dir, ['--rubric', RUBRIC]);
    expect(fixed.code).toBe(0);
    expect(calls(ANSWERER)).toBe(0);
    expect(calls(JUDGE)).toBe(3);
    expect(rows(out).every((r) => r.judge_error === '' && r.judge_pass !== '')).toBe(true);
  });

  it('retries a throttled judge call in the pool', async () => {
    const dir = workdir();
    const out = input(dir, 4);
    const result = await run(dir, ['--rubric', `${RUBRIC} [[emulator:throttle=1]]`]);
    expect(result.code).toBe(0);
    const judge = seenBy(JUDGE);
    expect(judge?.throttled).toBe(4);
    expect(judge?.requests).toBe(8);
    expect(calls(ANSWERER)).toBe(4);
    expect(summaryOf(out).judge.attempts).toBe(8);
    expect(rows(out).every((r) => r.judge_pass !== '')).toBe(true);
  });

  it('--max-cost counts the judge: the run stops within it (exit 3), and the rerun finishes', async () => {
    const dir = workdir();
    const out = input(dir, 8);
    const limit = 0.03;
    const stopped = await run(dir, ['--rubric', RUBRIC, '-c', '1', '--max-cost', String(limit)]);
    expect(stopped.code).toBe(3);
    expect(`${stopped.stdout}${stopped.stderr}`).toContain('stopped   budget');
    const spent = (model: string) => {
      const seen = seenBy(model);
      const price = pricesOf(model);
      return BigInt(seen?.inputTokens ?? 0) * price.input + BigInt(seen?.outputTokens ?? 0) * price.output;
    };
    // What the emulator served, at the price table's prices: within the budget.
    expect(spent(ANSWERER) + spent(JUDGE)).toBeLessThanOrEqual(BigInt(limit * 1e12));
    expect(calls(ANSWERER) + calls(JUDGE)).toBeLessThan(16);
    const left = rows(out);
    const answered = left.filter((r) => r.status === 'ok').length;
    const judged = left.filter((r) => r.judge_pass !== '').length;
    expect(judged).toBeLessThan(8);
    expect(calls(ANSWERER)).toBe(answered);

    used.emulator.resetStats();
    const rest = await run(dir, ['--rubric', RUBRIC, '-c', '1']);
    expect(rest.code).toBe(0);
    expect(calls(ANSWERER)).toBe(8 - answered);
    expect(calls(JUDGE)).toBe(8 - judged);
    expect(rows(out).every((r) => r.judge_pass !== '')).toBe(true);
  });

  it('kill -9 mid-run, then a rerun: no answer paid twice, every row judged', async () => {
    const dir = workdir();
    const n = 24;
    const concurrency = 2;
    const out = input(dir, n, ' [[emulator:latency=60]]');
    const args = ['in.csv', '--template', 'Summarize: {{text}}', '--judge', JUDGE, '--rubric', RUBRIC];
    const child = startCli([...args, '-c', String(concurrency)], { cwd: dir, env: used.env() });
    // Until the run finishes, a judged row is in the file twice: its answer, then with its verdict.
    const idsWhere = (keep: (r: Row) => boolean) =>
      new Set(
        rows(out)
          .filter(keep)
          .map((r) => r.id),
      ).size;
    const judgedRows = () => (existsSync(out) ? idsWhere((r) => r.judge_pass !== '') : 0);
    await waitFor(() => judgedRows() >= 6, '6 rows judged', { child });
    child.process.kill('SIGKILL');
    await child.ended;
    const answeredFirst = seenBy(ANSWERER)?.ok ?? 0;
    const inFile = idsWhere((r) => r.status === 'ok');
    expect(inFile).toBeGreaterThanOrEqual(6);
    expect(inFile).toBeLessThan(n);

    used.emulator.resetStats();
    const rerun = await runCli([...args, '-c', String(concurrency)], { cwd: dir, env: used.env() });
    expect(rerun.code).toBe(0);
    const final = rows(out);
    expect(final.map((r) => r.id)).toEqual(Array.from({ length: n }, (_, i) => `r${i + 1}`));
    expect(final.every((r) => r.status === 'ok' && r.judge_pass !== '')).toBe(true);
    // Answers in the results file (or committed to the ledger) at the kill are never asked again;
    // only those in flight at that moment, or in the ledger's commit group being gathered (at most
    // -c of each: src/run/commit-group.ts), may have been paid twice.
    const answeredAgain = seenBy(ANSWERER)?.ok ?? 0;
    expect(answeredAgain).toBeLessThanOrEqual(n - inFile);
    expect(answeredFirst + answeredAgain - n).toBeLessThanOrEqual(2 * concurrency);
  });

  it('refuses --mode batch (exit 2) and a judge without a rubric, before any call', async () => {
    const dir = workdir();
    input(dir, 2);
    const batch = await run(dir, ['--rubric', RUBRIC, '--mode', 'batch']);
    expect(batch.code).toBe(2);
    expect(batch.stderr).toContain('--judge grades answers as they arrive on demand');
    const bare = await run(dir, []);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('--judge needs --rubric');
    const lone = await runCli(['in.csv', '--rubric', RUBRIC], { cwd: dir, env: used.env() });
    expect(lone.code).toBe(2);
    expect(lone.stderr).toContain('--rubric is for --judge MODEL');
    expect(used.emulator.stats().requests).toBe(0);
  });
});
