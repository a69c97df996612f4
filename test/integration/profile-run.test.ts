/**
 * Application inference profiles (issue 27, first "Done when"): a profile made on the emulator
 * (copied from the `us.` Claude Haiku 4.5 system profile, tagged team=support) is `-m`; every row
 * is priced at the underlying model's price (geo: the 10% regional premium over the global list
 * price), `report --by tag:team` and `--by profile` group it; an unknown profile ARN is exit 2
 * after one control-plane call and no model call. The emulator's control plane is driven with
 * boto3 and the AWS CLI too. Counted on the emulator's stats, never timed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BedrockClient, CreateInferenceProfileCommand } from '@aws-sdk/client-bedrock';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { FAKE_AWS_ENV, runCli, workdir } from '../helpers/cli.js';
import { useEmulator } from '../helpers/emulator.js';
import { awsEnv, run } from '../helpers/emulator-clients.js';

const used = useEmulator();
const SYSTEM =
  'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0';
// Claude Haiku 4.5, global list price per 1,000 tokens, and the regional premium a us. profile pays.
const GLOBAL = { input: 0.001, output: 0.005 };
const PREMIUM = 1.1;

async function makeProfile(url: string, copyFrom = SYSTEM, name = 'support-haiku'): Promise<string> {
  const client = new BedrockClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: FAKE_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  try {
    const made = await client.send(
      new CreateInferenceProfileCommand({
        inferenceProfileName: name,
        modelSource: { copyFrom },
        tags: [{ key: 'team', value: 'support' }],
      }),
    );
    return made.inferenceProfileArn as string;
  } finally {
    client.destroy();
  }
}

function rows(dir: string, n = 4): void {
  const lines = Array.from({ length: n }, (_, i) => `r${i + 1},Question ${i + 1}`);
  writeFileSync(join(dir, 'in.csv'), `id,prompt\n${lines.join('\n')}\n`);
}

const csv = (path: string) => parse(readFileSync(path), { columns: true }) as Array<Record<string, string>>;

describe('-m an application inference profile ARN', () => {
  it('prices every row as the model behind it, carries its tags, and report groups by tag and profile', async () => {
    const arn = await makeProfile(used.emulator.url);
    const dir = workdir();
    rows(dir);
    const result = await runCli(['in.csv', '-m', arn], { cwd: dir, env: used.env() });
    expect(result.stderr).toMatch(
      /priced as us\.anthropic\.claude-haiku-4-5-20251001-v1:0, tags team=support/,
    );
    expect(result.code).toBe(0);
    const written = csv(join(dir, 'in.results.csv'));
    expect(written).toHaveLength(4);
    for (const row of written) {
      expect(row.status).toBe('ok');
      expect(row.model).toBe(arn);
      expect(JSON.parse(row.profile_tags as string)).toEqual({ team: 'support' });
      const expected =
        ((Number(row.input_tokens) * GLOBAL.input + Number(row.output_tokens) * GLOBAL.output) * PREMIUM) /
        1000;
      expect(Number(row.cost_usd)).toBeCloseTo(expected, 12);
    }
    // The runtime answered as the model, through the profile: one call a row.
    const stats = used.emulator.stats();
    expect(stats.byProfile[arn]).toBe(4);
    expect(stats.byModel['anthropic.claude-haiku-4-5-20251001-v1:0']?.ok).toBe(4);
    expect(stats.profiles).toEqual({
      CreateInferenceProfile: 1,
      GetInferenceProfile: 1,
      ListTagsForResource: 1,
    });
    const summary = JSON.parse(readFileSync(join(dir, 'in.results.csv.summary.json'), 'utf8'));
    expect(summary.profile).toMatchObject({
      arn,
      type: 'APPLICATION',
      pricedAs: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      tags: { team: 'support' },
    });
    const total = written.reduce((sum, r) => sum + Number(r.cost_usd), 0);
    const byTag = await runCli(['report', 'in.results.csv', '--by', 'tag:team', '--format', 'json'], {
      cwd: dir,
    });
    expect(byTag.code).toBe(0);
    const tagReport = JSON.parse(byTag.stdout);
    expect(tagReport.groups).toHaveLength(1);
    expect(tagReport.groups[0]).toMatchObject({ 'tag:team': 'support', rows: 4 });
    expect(tagReport.groups[0].cost_usd).toBeCloseTo(total, 12);
    const byProfile = await runCli(['report', 'in.results.csv', '--by', 'profile', '--format', 'json'], {
      cwd: dir,
    });
    const profileReport = JSON.parse(byProfile.stdout);
    expect(profileReport.groups).toHaveLength(1);
    expect(profileReport.groups[0]).toMatchObject({ profile: arn, rows: 4 });
    // estimate prices the profile as run does: its rows are priced, not left out.
    const estimate = await runCli(['estimate', 'in.csv', '-m', arn, '--format', 'json', '--no-reuse'], {
      cwd: dir,
      env: used.env(),
    });
    expect(estimate.code).toBe(0);
    const estimated = JSON.parse(estimate.stdout);
    expect(estimated.unpricedRows).toBe(0);
    expect(Number(estimated.maxCostUsd)).toBeGreaterThan(0);
    // A second run of the same profile asks the control plane nothing: the cache (an hour) answers.
    used.emulator.resetStats();
    const again = await runCli(['in.csv', '-m', arn, '-o', 'again.csv', '--no-reuse'], {
      cwd: dir,
      env: used.env(),
    });
    expect(again.code).toBe(0);
    expect(used.emulator.stats().profiles).toEqual({});
    expect(csv(join(dir, 'again.csv')).every((r) => Number(r.cost_usd) > 0)).toBe(true);
  });

  it('an unknown profile ARN is exit 2 after one control-plane call, with no row sent', async () => {
    const dir = workdir();
    rows(dir);
    const unknown = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc';
    const result = await runCli(['in.csv', '-m', unknown], { cwd: dir, env: used.env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/application-inference-profile\/abc.*not found.*GetInferenceProfile/);
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const stats = used.emulator.stats();
    expect(stats.profiles).toEqual({ GetInferenceProfile: 1 });
    expect(stats.requests).toBe(0);
  });

  it('a profile copied from a foundation model in one region prices in-region; a system profile ARN as its id', async () => {
    const inRegion = await makeProfile(
      used.emulator.url,
      'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0',
      'micro',
    );
    const dir = workdir();
    rows(dir, 2);
    const result = await runCli(['in.csv', '-m', inRegion], { cwd: dir, env: used.env() });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/priced as amazon\.nova-micro-v1:0/);
    for (const row of csv(join(dir, 'in.results.csv'))) {
      // Nova Micro: 0.000035 / 0.00014 per 1,000, no regional premium.
      const expected = (Number(row.input_tokens) * 0.000035 + Number(row.output_tokens) * 0.00014) / 1000;
      expect(Number(row.cost_usd)).toBeCloseTo(expected, 12);
    }
    const system = await runCli(['in.csv', '-m', SYSTEM, '-o', 'system.csv'], { cwd: dir, env: used.env() });
    expect(system.code).toBe(0);
    expect(system.stderr).toMatch(/\(SYSTEM_DEFINED\): priced as us\.anthropic\.claude-haiku-4-5/);
    const row = csv(join(dir, 'system.csv'))[0] as Record<string, string>;
    expect(row.profile_tags).toBe('{}');
    const expected =
      ((Number(row.input_tokens) * GLOBAL.input + Number(row.output_tokens) * GLOBAL.output) * PREMIUM) /
      1000;
    expect(Number(row.cost_usd)).toBeCloseTo(expected, 12);
  });
});

describe('the emulator serves inference profiles to boto3 and the AWS CLI', () => {
  it('creates, gets, lists, tags and deletes with boto3; the runtime answers through the ARN', async () => {
    const script = `
import boto3, sys
url = sys.argv[1]
c = boto3.client("bedrock", endpoint_url=url)
made = c.create_inference_profile(inferenceProfileName="py", modelSource={"copyFrom": "${SYSTEM}"},
    tags=[{"key": "team", "value": "support"}])
arn = made["inferenceProfileArn"]
got = c.get_inference_profile(inferenceProfileIdentifier=arn)
assert got["type"] == "APPLICATION" and got["status"] == "ACTIVE", got
assert len(got["models"]) == 3, got["models"]
listed = c.list_inference_profiles(typeEquals="APPLICATION")["inferenceProfileSummaries"]
assert [p["inferenceProfileArn"] for p in listed] == [arn], listed
system = c.list_inference_profiles()["inferenceProfileSummaries"]
assert all(p["type"] == "SYSTEM_DEFINED" for p in system) and any(p["inferenceProfileId"].startswith("global.") for p in system)
c.tag_resource(resourceARN=arn, tags=[{"key": "project", "value": "p1"}])
assert c.list_tags_for_resource(resourceARN=arn)["tags"] == [{"key": "team", "value": "support"}, {"key": "project", "value": "p1"}]
rt = boto3.client("bedrock-runtime", endpoint_url=url)
out = rt.converse(modelId=arn, messages=[{"role": "user", "content": [{"text": "hi"}]}], requestMetadata={"team": "support"})
assert out["stopReason"] == "end_turn", out
try:
    c.create_inference_profile(inferenceProfileName="bad name!", modelSource={"copyFrom": "${SYSTEM}"})
    raise SystemExit("a bad name was taken")
except c.exceptions.ValidationException:
    pass
c.delete_inference_profile(inferenceProfileIdentifier=arn)
try:
    c.get_inference_profile(inferenceProfileIdentifier=arn)
    raise SystemExit("a deleted profile was found")
except c.exceptions.ResourceNotFoundException:
    pass
print("ok")
`;
    const result = await run('python3', ['-c', script, used.emulator.url], awsEnv(used.emulator.url));
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('ok');
    const stats = used.emulator.stats();
    expect(stats.requestMetadata).toEqual([{ team: 'support' }]);
    expect(Object.values(stats.byProfile)).toEqual([1]);
  });

  it('aws bedrock get-inference-profile reads an application and a system profile', async () => {
    const arn = await makeProfile(used.emulator.url);
    const env = awsEnv(used.emulator.url);
    const app = await run(
      'aws',
      [
        'bedrock',
        'get-inference-profile',
        '--endpoint-url',
        used.emulator.url,
        '--inference-profile-identifier',
        arn,
      ],
      env,
    );
    expect(app.code).toBe(0);
    expect(JSON.parse(app.stdout)).toMatchObject({
      inferenceProfileArn: arn,
      type: 'APPLICATION',
      status: 'ACTIVE',
    });
    const system = await run(
      'aws',
      [
        'bedrock',
        'get-inference-profile',
        '--endpoint-url',
        used.emulator.url,
        '--inference-profile-identifier',
        'global.anthropic.claude-haiku-4-5-20251001-v1:0',
      ],
      env,
    );
    expect(system.code).toBe(0);
    const found = JSON.parse(system.stdout);
    expect(found.type).toBe('SYSTEM_DEFINED');
    expect(found.models[0].modelArn).toBe(
      'arn:aws:bedrock:::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0',
    );
    const tags = await run(
      'aws',
      ['bedrock', 'list-tags-for-resource', '--endpoint-url', used.emulator.url, '--resource-arn', arn],
      env,
    );
    expect(JSON.parse(tags.stdout)).toEqual({ tags: [{ key: 'team', value: 'support' }] });
  });
});
