#!/usr/bin/env node
/**
 * After merging wt-D: rewrites relative imports in src/, test/, bench/, scripts/ that still point
 * at a file wt-D moved (handoff/D-moves.txt, "old new" per line) to its new path. Only imports whose
 * target no longer exists are touched. Run from the repository root, then `npx biome check --write`.
 *   node handoff/D-fix-imports.mjs            # rewrites, prints each file changed
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = process.cwd();
const moves = new Map(
  readFileSync(join(root, 'handoff/D-moves.txt'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' ').map((p) => resolve(root, p))),
);
const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) return [];
    return statSync(path).isDirectory() ? walk(path) : /\.(ts|mts|mjs|js|cjs)$/.test(name) ? [path] : [];
  });
for (const file of ['src', 'test', 'bench', 'scripts']
  .filter((d) => existsSync(d))
  .flatMap((d) => walk(join(root, d)))) {
  const text = readFileSync(file, 'utf8');
  const out = text.replace(/(['"])(\.\.?\/[^'"\n]*)\1/g, (whole, quote, spec) => {
    const target = resolve(dirname(file), spec);
    const ts = target.replace(/\.js$/, '.ts');
    const moved = moves.get(ts) ?? moves.get(target);
    if (!moved || existsSync(ts) || existsSync(target)) return whole;
    let rel = relative(dirname(file), moved);
    if (moves.has(ts) && target !== ts) rel = rel.replace(/\.ts$/, '.js');
    return `${quote}${rel.startsWith('.') ? rel : `./${rel}`}${quote}`;
  });
  if (out !== text) {
    writeFileSync(file, out);
    console.log(relative(root, file));
  }
}
