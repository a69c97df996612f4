#!/usr/bin/env node
/**
 * Writes docs/options.md and run-batch.1 from the option tables (run after `npm run build`).
 * test/unit/reference.test.ts fails when the committed files differ from what this writes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { allOptions } = await import(join(root, 'dist/commands/tables.js'));
const { manPage, optionsMarkdown } = await import(join(root, 'dist/commands/reference.js'));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const tables = await allOptions();
writeFileSync(join(root, 'docs/options.md'), optionsMarkdown(tables));
writeFileSync(join(root, 'run-batch.1'), manPage(tables, version));
console.log('wrote docs/options.md and run-batch.1');
