/**
 * The client side's knowledge of Bedrock's text models, as one table of data: lifecycle (end of
 * life with date, source and a current replacement), models that can only be called through an
 * inference profile (and the profile ids), which service tiers each offers, prompt caching (the
 * minimum tokens before a cache point, the TTLs), the output-token burndown against TPM, the most
 * output tokens, the context window, and family rules a model id alone does not tell (which
 * InvokeModel body a Mistral model takes). Every fact names its source; a fact that could not be
 * confirmed says so in `unconfirmed`, so nothing here is a silent guess. The emulator keeps its own
 * table (src/emulator/catalogue/models.json, no code shared by design); test/unit/catalogues-agree.test.ts
 * fails when the two disagree.
 *
 * The functions that read this table are in models.ts; prices are in cost/prices.json.
 */

export type Tier = 'default' | 'priority' | 'flex';
export type CacheTtl = '5m' | '1h';

export interface Lifecycle {
  state: 'legacy' | 'eol';
  /** ISO date, or a month (YYYY-MM) when only the month is known. */
  date: string;
  /** The model id to use instead (an inference profile where the replacement needs one). */
  replacement: string;
  source: string;
}

export interface ModelFacts {
  lifecycle?: Lifecycle;
  /** Profile prefixes (`global`, `us`, ...) when the base id cannot be called on demand. */
  profileOnly?: readonly string[];
  /** Tiers besides `default` that the model offers. */
  tiers: readonly Tier[];
  /** Prompt caching: the fewest tokens before a cache point, and the TTLs offered. */
  cache?: { minTokens: number; ttls: readonly CacheTtl[] };
  /** How many TPM tokens one output token uses up. */
  burndown: number;
  /** The most max_tokens the model accepts. */
  maxOutput: number;
  /** The most input tokens a call may carry. */
  contextWindow: number;
  /**
   * Mistral only: the InvokeModel body, the `[INST]` text completion of the first models or the
   * chat completion (messages) of Mistral Large 24.07 and everything since.
   */
  mistralBody?: 'text' | 'chat';
  source: string;
  /** Facts taken second-hand or inferred, named: 'tiers', 'cache', 'burndown', 'maxOutput', ... */
  unconfirmed?: readonly string[];
}

/** Where the facts come from; keys are used by `source` above. */
export const FACT_SOURCES: Record<string, string> = {
  'wire-10':
    'shared/reference/bedrock-wire.md section 10 (botocore 1.43.11 models; AWS user-guide pages quoted by projects that call these APIs), read 2026-12-01',
  'wire-8':
    'shared/reference/bedrock-wire.md section 8 (AWS quotas.html, quotas-runtime.html, model-lifecycle doc), read 2026-12-01',
  'aws-tiers':
    'AWS "Service tiers for optimizing performance and cost" (service-tiers-inference.html) launch list, Nov 2025, as quoted in reference 10.3 and a repost.aws answer (Claude: no flex/priority)',
  'model-cards':
    'AWS Bedrock model cards and Anthropic/Amazon/Meta/Mistral model documentation, read second-hand',
};

const CLAUDE_PROFILES = ['global', 'us', 'eu', 'apac', 'jp', 'au'] as const;
// Profile prefixes per model follow the cross-region inference profile table (model-cards).
const HAIKU_45 = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';
const SONNET_45 = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
const OPUS_45 = 'global.anthropic.claude-opus-4-5-20251101-v1:0';

const claude = (
  maxOutput: number,
  cache: ModelFacts['cache'],
  burndown: number,
  more: Partial<ModelFacts> = {},
): ModelFacts => ({
  tiers: [],
  burndown,
  maxOutput,
  contextWindow: 200_000,
  source: 'wire-10',
  ...(cache ? { cache } : {}),
  ...more,
});

const C5 = ['5m'] as const;
const C5H = ['5m', '1h'] as const;

export const MODEL_FACTS: Record<string, ModelFacts> = {
  // Anthropic. Burndown 5x from Claude 3.7 Sonnet on (wire-8 8.1, wire-10 10.6); tiers: none
  // offered to Claude at the tiers' launch (aws-tiers).
  'anthropic.claude-3-haiku-20240307-v1:0': claude(4096, undefined, 1, {
    lifecycle: { state: 'eol', date: '2026-09', replacement: HAIKU_45, source: 'wire-10' },
  }),
  'anthropic.claude-3-sonnet-20240229-v1:0': claude(4096, undefined, 1, {
    lifecycle: { state: 'eol', date: '2025', replacement: SONNET_45, source: 'wire-8' },
    unconfirmed: ['lifecycle.date'],
  }),
  'anthropic.claude-3-opus-20240229-v1:0': claude(4096, undefined, 1, {
    lifecycle: { state: 'eol', date: '2026', replacement: OPUS_45, source: 'wire-8' },
    unconfirmed: ['lifecycle.date'],
  }),
  'anthropic.claude-3-5-haiku-20241022-v1:0': claude(8192, { minTokens: 2048, ttls: C5 }, 1, {
    lifecycle: { state: 'eol', date: '2026-06', replacement: HAIKU_45, source: 'wire-10' },
  }),
  // Past legacy with EOL after 2026-02-01 (reference 8.2 caveats a and b); the day is not known.
  'anthropic.claude-3-5-sonnet-20240620-v1:0': claude(8192, undefined, 1, {
    lifecycle: { state: 'eol', date: '2026', replacement: SONNET_45, source: 'wire-8' },
    unconfirmed: ['lifecycle.date'],
  }),
  'anthropic.claude-3-5-sonnet-20241022-v2:0': claude(8192, { minTokens: 1024, ttls: C5 }, 1, {
    lifecycle: { state: 'eol', date: '2026', replacement: SONNET_45, source: 'wire-8' },
    unconfirmed: ['lifecycle.date', 'cache'],
  }),
  'anthropic.claude-3-7-sonnet-20250219-v1:0': claude(64_000, { minTokens: 1024, ttls: C5 }, 5, {
    lifecycle: { state: 'legacy', date: '2026', replacement: SONNET_45, source: 'wire-8' },
    profileOnly: ['us', 'eu', 'apac'],
    source: 'model-cards',
    unconfirmed: ['burndown', 'lifecycle.date'],
  }),
  'anthropic.claude-sonnet-4-20250514-v1:0': claude(64_000, { minTokens: 1024, ttls: C5 }, 5, {
    profileOnly: ['global', 'us', 'eu', 'apac'],
  }),
  'anthropic.claude-opus-4-20250514-v1:0': claude(32_000, { minTokens: 1024, ttls: C5 }, 5, {
    profileOnly: ['global', 'us'],
  }),
  'anthropic.claude-opus-4-1-20250805-v1:0': claude(32_000, { minTokens: 1024, ttls: C5 }, 5, {
    profileOnly: ['us'],
  }),
  'anthropic.claude-sonnet-4-5-20250929-v1:0': claude(64_000, { minTokens: 1024, ttls: C5H }, 5, {
    profileOnly: CLAUDE_PROFILES,
  }),
  'anthropic.claude-haiku-4-5-20251001-v1:0': claude(64_000, { minTokens: 4096, ttls: C5H }, 5, {
    profileOnly: CLAUDE_PROFILES,
  }),
  'anthropic.claude-opus-4-5-20251101-v1:0': claude(64_000, { minTokens: 4096, ttls: C5H }, 5, {
    profileOnly: ['global', 'us', 'eu', 'apac'],
  }),
  'anthropic.claude-opus-4-6-v1': claude(128_000, { minTokens: 4096, ttls: C5H }, 5, {
    profileOnly: ['global', 'us', 'eu', 'jp', 'apac'],
    source: 'model-cards',
    unconfirmed: ['maxOutput', 'profileOnly'],
  }),
  'anthropic.claude-sonnet-4-6': claude(64_000, { minTokens: 2048, ttls: C5H }, 5, {
    profileOnly: ['global', 'us', 'eu', 'jp'],
    source: 'model-cards',
    unconfirmed: ['profileOnly'],
  }),

  // Amazon Nova: Pro and Premier offer flex and priority (aws-tiers); caching per wire-10 10.4.
  'amazon.nova-micro-v1:0': nova(10_000, 128_000, [], 1536),
  'amazon.nova-lite-v1:0': nova(10_000, 300_000, [], 1536),
  'amazon.nova-pro-v1:0': nova(10_000, 300_000, ['priority', 'flex'], 1024),
  'amazon.nova-premier-v1:0': {
    ...nova(32_000, 1_000_000, ['priority', 'flex'], 1024, ['cache.minTokens']),
    lifecycle: {
      state: 'legacy',
      date: '2026',
      replacement: 'global.amazon.nova-2-lite-v1:0',
      source: 'model-cards',
    },
    profileOnly: ['us'],
  },
  'amazon.nova-2-lite-v1:0': {
    ...nova(65_535, 1_000_000, ['priority', 'flex'], 1024, ['cache.minTokens', 'tiers']),
    profileOnly: ['global', 'us', 'eu', 'jp', 'apac'],
  },
  'amazon.titan-text-express-v1': plain(8192, 8192),
  'amazon.titan-text-lite-v1': plain(4096, 4096),
  'amazon.titan-text-premier-v1:0': plain(3072, 32_000),

  // Meta Llama and Mistral: no caching, no tiers known (aws-tiers lists neither).
  'meta.llama3-8b-instruct-v1:0': plain(2048, 8192),
  'meta.llama3-70b-instruct-v1:0': plain(2048, 8192),
  'meta.llama3-1-8b-instruct-v1:0': plain(2048, 128_000),
  'meta.llama3-1-70b-instruct-v1:0': plain(2048, 128_000),
  'meta.llama3-1-405b-instruct-v1:0': plain(2048, 128_000),
  'meta.llama3-2-1b-instruct-v1:0': { ...plain(2048, 128_000), profileOnly: ['us', 'eu'] },
  'meta.llama3-2-3b-instruct-v1:0': { ...plain(2048, 128_000), profileOnly: ['us', 'eu'] },
  'meta.llama3-2-11b-instruct-v1:0': plain(2048, 128_000),
  'meta.llama3-2-90b-instruct-v1:0': plain(2048, 128_000),
  'meta.llama3-3-70b-instruct-v1:0': { ...plain(2048, 128_000), profileOnly: ['us'] },
  'meta.llama4-scout-17b-instruct-v1:0': {
    ...plain(8192, 3_500_000, ['contextWindow']),
    profileOnly: ['us'],
  },
  'meta.llama4-maverick-17b-instruct-v1:0': {
    ...plain(8192, 1_000_000, ['contextWindow']),
    profileOnly: ['us'],
  },
  // Mistral: the text body for the 2024 models before Large 24.07, the chat body from it on.
  'mistral.mistral-7b-instruct-v0:2': mistral('text', 8192, 32_000),
  'mistral.mixtral-8x7b-instruct-v0:1': mistral('text', 4096, 32_000),
  'mistral.mistral-small-2402-v1:0': mistral('text', 8192, 32_000),
  'mistral.mistral-large-2402-v1:0': mistral('text', 8192, 32_000),
  'mistral.mistral-large-2407-v1:0': mistral('chat', 8192, 128_000),
  'mistral.mistral-large-3-675b-instruct': mistral('chat', 32_768, 256_000, ['maxOutput', 'contextWindow']),
  'mistral.ministral-3-3b-instruct': mistral('chat', 32_768, 128_000, ['maxOutput', 'contextWindow']),
  'mistral.ministral-3-8b-instruct': mistral('chat', 32_768, 128_000, ['maxOutput', 'contextWindow']),
  'mistral.ministral-3-14b-instruct': mistral('chat', 32_768, 128_000, ['maxOutput', 'contextWindow']),

  // Open-weight models at the tiers' launch (aws-tiers): flex and priority.
  'openai.gpt-oss-120b-1:0': open(['maxOutput']),
  'openai.gpt-oss-20b-1:0': open(['maxOutput']),
  'qwen.qwen3-32b-v1:0': open(['maxOutput']),
  'deepseek.r1-v1:0': open(['maxOutput']),
};

function nova(
  maxOutput: number,
  contextWindow: number,
  tiers: Tier[],
  minTokens: number,
  unconfirmed: string[] = [],
): ModelFacts {
  return {
    tiers,
    cache: { minTokens, ttls: C5 },
    burndown: 1,
    maxOutput,
    contextWindow,
    source: tiers.length > 0 ? 'aws-tiers' : 'wire-10',
    ...(unconfirmed.length > 0 ? { unconfirmed } : {}),
  };
}

function plain(maxOutput: number, contextWindow: number, unconfirmed: string[] = []): ModelFacts {
  return {
    tiers: [],
    burndown: 1,
    maxOutput,
    contextWindow,
    source: 'model-cards',
    ...(unconfirmed.length > 0 ? { unconfirmed } : {}),
  };
}

function mistral(
  body: 'text' | 'chat',
  maxOutput: number,
  contextWindow: number,
  unconfirmed: string[] = [],
): ModelFacts {
  return { ...plain(maxOutput, contextWindow, unconfirmed), mistralBody: body };
}

function open(unconfirmed: string[]): ModelFacts {
  return {
    tiers: ['priority', 'flex'],
    burndown: 1,
    maxOutput: 8192,
    contextWindow: 128_000,
    source: 'aws-tiers',
    unconfirmed: [...unconfirmed, 'contextWindow'],
  };
}
