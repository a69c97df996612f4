/** `estimate`'s own options, on top of the run table's entries that name `estimate`. */
import type { OptionDef } from '../job/option-def.js';
import { wholeIn } from '../job/values.js';

export interface EstimateSettings {
  countTokens: 'local' | 'api';
  latencyMs: number;
  format: 'text' | 'json';
}

export const ESTIMATE_OPTIONS: readonly OptionDef<`estimate.${keyof EstimateSettings}`>[] = [
  {
    flag: 'count-tokens',
    key: 'estimate.countTokens',
    type: 'string',
    choices: ['local', 'api'],
    default: 'local',
    group: 'Estimate',
    commands: ['estimate'],
    describe: 'Count input tokens locally (4 characters per token) or exactly with Bedrock CountTokens',
  },
  {
    flag: 'assume-latency-ms',
    key: 'estimate.latencyMs',
    type: 'number',
    parse: wholeIn(0),
    default: 1000,
    group: 'Estimate',
    commands: ['estimate'],
    describe: 'Least time one call takes, for the concurrency bound',
  },
  {
    flag: 'format',
    key: 'estimate.format',
    type: 'string',
    choices: ['text', 'json'],
    default: 'text',
    group: 'Estimate',
    commands: ['estimate'],
    describe: 'Output format',
  },
];
