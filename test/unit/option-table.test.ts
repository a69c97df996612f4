/**
 * The option tables themselves: one entry per flag per command, defaults applied from the table,
 * the command line read as the table means it, and the generic resolver's env, conflict and
 * every-problem-at-once rules.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allOptions } from '../../src/commands/tables.js';
import { glueDashValues, unknownFlags } from '../../src/job/argv.js';
import type { OptionDef } from '../../src/job/option-def.js';
import { RUN_OPTIONS } from '../../src/job/options.js';
import { resolveRun } from '../../src/job/resolve.js';
import type { RunKey } from '../../src/job/spec.js';
import { fromCommandLine, parseOf, resolveOptions } from '../../src/job/table.js';
import { OptionValueErrors } from '../../src/job/values.js';

const cwd = mkdtempSync(join(tmpdir(), 'option-table-'));
writeFileSync(join(cwd, 'in.csv'), 'prompt\nx\n');
const ctx = { cwd, env: {} };

// A table entry must name a JobSpec key (or a batch or log option): this one does not compile.
const _unknownKey: OptionDef<RunKey> = {
  flag: 'x',
  // @ts-expect-error 'maxTokenz' is no key of JobSpec
  key: 'maxTokenz',
  type: 'number',
  group: 'Model',
  commands: ['run'],
  describe: 'x',
};

const at = (values: Record<string, unknown>, key: string) =>
  key.split('.').reduce<unknown>((v, part) => (v as Record<string, unknown> | undefined)?.[part], values);

describe('the tables', () => {
  it('have one entry per flag and alias in each command', async () => {
    for (const [command, defs] of await allOptions()) {
      const names = defs.flatMap((d) => [d.flag, ...(d.alias ? [d.alias] : [])]);
      expect(new Set(names).size, command).toBe(names.length);
      expect(names, command).not.toContain('help');
      expect(names, command).not.toContain('h');
    }
  });

  it('apply every default from the table, checked like a given value', () => {
    const { values } = resolveRun({ input: 'in.csv' }, ctx);
    for (const def of RUN_OPTIONS.filter((d) => d.default !== undefined && d.key))
      expect(at(values, def.key as string), def.flag).toEqual(parseOf(def)(def.flag, def.default, ctx));
  });

  it('cover every key of the JobSpec', () => {
    const { spec } = resolveRun(
      {
        input: 'in.csv',
        template: 'x {{prompt}}',
        system: 's',
        'id-column': 'id',
        temperature: '1',
        'top-p': '1',
        'top-k': '1',
        profile: 'p',
        endpoint: 'http://127.0.0.1:1',
        rpm: '1',
        tpm: '1',
        limiter: 'redis://h:1',
        'limiter-key': 'k',
        shard: '1/1',
        'max-errors': '1',
        'max-cost': '1',
        pricing: 'p.json',
        'service-tier': 'flex',
        'cache-system': '1h',
      },
      ctx,
    );
    const keys = new Set(RUN_OPTIONS.map((d) => (d.key as string).split('.')[0]));
    for (const key of Object.keys(spec)) if (key !== 'input') expect(keys, key).toContain(key);
  });
});

describe('the command line as the table means it', () => {
  it('a repeated scalar takes its last value, a list keeps them all, a bare value flag is ""', () => {
    expect(
      fromCommandLine(RUN_OPTIONS, {
        concurrency: ['4', '8'],
        model: ['a', 'b'],
        stop: ['A', 'B'],
        system: true,
      }),
    ).toMatchObject({
      concurrency: '8',
      model: 'b',
      stop: ['A', 'B'],
      system: '',
    });
  });

  it.each([
    [['--shard', '-1/3'], ['--shard=-1/3']],
    [
      ['-c', '-2', 'in.csv'],
      ['--concurrency=-2', 'in.csv'],
    ],
    [
      ['-o', '-q'],
      ['-o', '-q'],
    ],
    [
      ['--template', '--no-adaptive'],
      ['--template', '--no-adaptive'],
    ],
    [
      ['--emulate', '-1'],
      ['--emulate', '-1'],
    ],
    [
      ['--', '--shard', '-1'],
      ['--', '--shard', '-1'],
    ],
  ])('%j is read as %j', (args, expected) => {
    expect(glueDashValues(args, RUN_OPTIONS)).toEqual(expected);
  });

  it('suggests the nearest flag of the command, none for a stranger', () => {
    expect(unknownFlags(['concurency', 'colour', 'x'], RUN_OPTIONS)).toBe(
      'unknown option --concurency (did you mean --concurrency?)\nunknown option --colour\nunknown option -x',
    );
  });
});

describe('the resolver', () => {
  const defs: OptionDef[] = [
    {
      flag: 'a',
      key: 'a',
      type: 'number',
      parse: (_, v) => Number(v),
      env: ['A'],
      default: 1,
      group: 'Model',
      commands: ['run'],
      describe: '',
    },
    {
      flag: 'b',
      key: 'x.b',
      type: 'string',
      env: ['B'],
      conflicts: { flag: 'c', why: 'c says so' },
      group: 'Model',
      commands: ['run'],
      describe: '',
    },
    { flag: 'c', key: 'c', type: 'boolean', default: false, group: 'Model', commands: ['run'], describe: '' },
  ];

  it('takes the value given, else the environment, else the default', () => {
    expect(resolveOptions(defs, { a: '5' }, { cwd, env: { A: '7' } }).values.a).toBe(5);
    expect(resolveOptions(defs, {}, { cwd, env: { A: '7' } }).values.a).toBe(7);
    expect(resolveOptions(defs, {}, ctx).values.a).toBe(1);
  });

  it('lets a conflicting option given outrank the environment, and refuses both given', () => {
    expect(resolveOptions(defs, {}, { cwd, env: { B: 'env' } }).values).toMatchObject({ x: { b: 'env' } });
    expect(resolveOptions(defs, { c: true }, { cwd, env: { B: 'env' } }).values.x).toBeUndefined();
    const { problems } = resolveOptions(defs, { b: 'v', c: true }, ctx);
    expect(problems.map((p) => p.message)).toEqual(['--b must be left out with --c (c says so), got "v"']);
  });

  it('reports every bad value of the run table at once, and names an environment value', () => {
    const error = (() => {
      try {
        resolveRun(
          { input: 'in.csv', concurrency: '0', 'max-tokens': 'x', api: 'chat' },
          { cwd, env: { AWS_REGION: 'mars' } },
        );
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(OptionValueErrors);
    expect((error as Error).message.split('\n')).toEqual([
      '--max-tokens must be a whole number from 1 to 1000000, got "x"',
      '--api must be one of converse, invoke, got "chat"',
      '--region (from AWS_REGION) must be an AWS region such as us-east-1, got "mars"',
      '--concurrency must be a whole number from 1 to 10000, got "0"',
    ]);
  });

  it('estimate prices batch mode without its S3 place and role; run needs both', () => {
    expect(resolveRun({ input: 'in.csv', mode: 'batch' }, ctx, 'estimate').spec.batch.mode).toBe('batch');
    expect(() => resolveRun({ input: 'in.csv', mode: 'batch' }, ctx, 'run')).toThrow(
      /--mode batch needs --s3/,
    );
  });
});
