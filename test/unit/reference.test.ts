/**
 * The generated reference: docs/options.md and run-batch.1 are what `npm run docs` writes from the
 * option tables today (so adding an option without regenerating fails here), and the man page
 * renders with man(1).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { manPage, optionsMarkdown } from '../../src/commands/reference.js';
import { allOptions } from '../../src/commands/tables.js';

const ROOT = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  man: string;
  files: string[];
};
const committed = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const stale = 'is stale: run `npm run docs` and commit the result';

describe('the generated reference', () => {
  it('docs/options.md is what the option tables give today', async () => {
    expect(committed('docs/options.md'), `docs/options.md ${stale}`).toBe(
      optionsMarkdown(await allOptions()),
    );
  });

  it('run-batch.1 is what the option tables give today', async () => {
    expect(committed('run-batch.1'), `run-batch.1 ${stale}`).toBe(manPage(await allOptions(), pkg.version));
  });

  it('lists every option of every command', async () => {
    const text = committed('docs/options.md');
    for (const [command, defs] of await allOptions()) {
      expect(text).toContain(`## ${command}`);
      for (const def of defs) expect(text).toMatch(new RegExp(`(--|\\])${def.flag}\``));
    }
  });

  it('the man page is installed with the package', () => {
    expect(pkg.man).toBe('./run-batch.1');
    expect(pkg.files).toContain('run-batch.1');
  });

  it('man ./run-batch.1 renders', () => {
    const man = spawnSync('man', ['./run-batch.1'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', MANWIDTH: '80', MANPAGER: 'cat', PAGER: 'cat', LANG: 'C.UTF-8' },
    });
    expect(man.error, 'man(1) is needed for this test: install man-db').toBeUndefined();
    expect(man.stderr).toBe('');
    expect(man.status).toBe(0);
    expect(man.stdout).toMatch(/^RUN-BATCH\(1\)/);
    expect(man.stdout).toMatch(/-c, --concurrency <number>\n\s+Most calls in flight at once\. Default: 8\./);
    expect(man.stdout).toContain('EXIT STATUS');
  });
});
