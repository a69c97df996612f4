#!/usr/bin/env node
/**
 * Checks the architecture the layout promises (STYLE.md): no import circles among src/ modules
 * (type-only imports included), and no module importing from a layer above its own. Run by
 * `npm run lint` and by a unit test, so CI fails on a new circle or an upward import.
 *
 *   node scripts/check-layers.mjs          # prints problems, exits 1 if any
 *   node scripts/check-layers.mjs --graph  # also prints each module's imports
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/**
 * Each layer may import from the layers listed for it (and from itself). The emulator stands apart:
 * it shares nothing with the client side, so a bug cannot hide on both sides at once.
 */
export const ALLOWED = {
  base: [],
  emulator: ['base'],
  pool: ['base'],
  // job checks a --template by compiling it with input's compiler; input reads job's types only.
  job: ['base', 'input'],
  input: ['base', 'job'],
  output: ['base', 'job'],
  // The answer ledger: SQLite, knowing nothing of results files or calls.
  ledger: ['base', 'job'],
  // Scoring answers against expected values: pure functions over a record and its row.
  score: ['base', 'job'],
  // S3 inputs and outputs made local at the edges (issue 26): under run, cost and compare.
  remote: ['base', 'job', 'ledger', 'output'],
  bedrock: ['base', 'pool'],
  cost: ['base', 'job', 'input', 'bedrock', 'score', 'remote'],
  plan: ['base', 'job', 'input', 'bedrock', 'cost', 'pool'],
  compare: ['base', 'job', 'input', 'cost', 'remote'],
  engines: ['base', 'job', 'plan', 'bedrock', 'pool', 'cost'],
  // What a run leaves for its watchers (Prometheus text, OpenTelemetry spans): hears the run's hooks.
  metrics: ['base', 'job', 'bedrock', 'pool'],
  // The judge (--judge): a second model's calls over the engines' row task, into the results file.
  judge: ['base', 'job', 'input', 'output', 'ledger', 'plan', 'engines', 'bedrock', 'cost', 'pool'],
  run: [
    'metrics',
    'base',
    'job',
    'input',
    'output',
    'ledger',
    'plan',
    'engines',
    'bedrock',
    'cost',
    'pool',
    'emulator',
    'score',
    'judge',
    'remote',
  ],
  progress: ['base', 'job', 'cost', 'run'],
  commands: [
    'base',
    'job',
    'input',
    'output',
    'ledger',
    'plan',
    'engines',
    'bedrock',
    'cost',
    'pool',
    'emulator',
    'run',
    'progress',
    'score',
    'compare',
    'judge',
    'remote',
  ],
  cli: ['base', 'job', 'commands', 'progress'],
  index: ['base', 'job', 'run', 'emulator', 'plan', 'engines', 'cost'],
};

const BASE = new Set(['types.ts', 'errors.ts', 'redact.ts', 'atomic-write.ts']);

/**
 * Inside the emulator the same rule, one folder deep (src/emulator/README.md): the wire knows no
 * model, the catalogue is data, behaviour decides answers, runtime walks one request, control and
 * S3 are the batch side, and server.ts (the top level) wires them all.
 */
export const EMULATOR_ALLOWED = {
  wire: [],
  catalogue: ['wire'],
  behaviour: ['wire', 'catalogue'],
  // Guardrails: the store the control plane fills and the evaluation the runtime applies.
  guardrails: ['wire', 'catalogue', 'behaviour'],
  runtime: ['wire', 'catalogue', 'behaviour', 'guardrails'],
  s3: ['wire'],
  control: ['wire', 'catalogue', 'behaviour', 'guardrails', 'runtime', 's3'],
  top: ['wire', 'catalogue', 'behaviour', 'guardrails', 'runtime', 's3', 'control'],
};

export function emulatorPartOf(file) {
  const parts = relative(root, file).split('/');
  if (parts[0] !== 'emulator') return undefined;
  return parts.length > 2 ? parts[1] : 'top';
}

export function layerOf(file) {
  const rel = relative(root, file);
  if (BASE.has(rel)) return 'base';
  if (rel === 'cli.ts' || rel === 'signals.ts' || rel === 'main.ts') return 'cli';
  if (rel === 'index.ts') return 'index';
  return rel.split('/')[0];
}

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT = /^\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"](\.[^'"]+)['"]/gm;

export function graph() {
  const edges = new Map();
  for (const file of files(root)) {
    const text = readFileSync(file, 'utf8');
    const targets = [];
    for (const match of text.matchAll(IMPORT))
      targets.push(resolve(dirname(file), match[1].replace(/\.js$/, '.ts')));
    edges.set(file, targets);
  }
  return edges;
}

export function problems(edges = graph()) {
  const found = [];
  for (const [file, targets] of edges) {
    const from = layerOf(file);
    for (const target of targets) {
      const to = layerOf(target);
      if (to !== from && !(ALLOWED[from] ?? []).includes(to))
        found.push(`layer: ${relative(root, file)} (${from}) imports ${relative(root, target)} (${to})`);
      const [inner, innerTo] = [emulatorPartOf(file), emulatorPartOf(target)];
      if (inner && innerTo && inner !== innerTo && !(EMULATOR_ALLOWED[inner] ?? []).includes(innerTo))
        found.push(
          `layer: ${relative(root, file)} (emulator/${inner}) imports ${relative(root, target)} (emulator/${innerTo})`,
        );
    }
  }
  // Circles: depth-first search with the path on a stack.
  const state = new Map();
  const stack = [];
  const visit = (file) => {
    state.set(file, 'open');
    stack.push(file);
    for (const target of edges.get(file) ?? []) {
      if (!edges.has(target)) continue;
      if (state.get(target) === 'open') {
        const cycle = stack.slice(stack.indexOf(target)).concat(target);
        found.push(`circle: ${cycle.map((f) => relative(root, f)).join(' -> ')}`);
      } else if (!state.has(target)) visit(target);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of edges.keys()) if (!state.has(file)) visit(file);
  return found;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const edges = graph();
  if (process.argv.includes('--graph'))
    for (const [file, targets] of edges)
      console.log(relative(root, file), '->', targets.map((t) => relative(root, t)).join(', '));
  const found = problems(edges);
  for (const line of found) console.log(line);
  console.log(
    found.length === 0
      ? `layers: ${edges.size} modules, no circles, no upward imports`
      : `${found.length} problems`,
  );
  process.exitCode = found.length === 0 ? 0 : 1;
}
