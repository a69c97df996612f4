/**
 * CreateModelInvocationJob's request checked against botocore's `bedrock` model (required
 * members, lengths, patterns, enums, ranges), all violations reported at once as the service does.
 */
import { END_OF_LIFE, resolveModel } from '../catalogue/catalogue.js';
import { ControlError, isObject, Violations } from './errors.js';
import type { InvocationType, S3Config } from './job.js';

// The model's patterns (botocore drops the ^...$ anchors; they are put back when matching).
const JOB_NAME = '[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\\+\\-\\.]){0,63}';
const ROLE_ARN = 'arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+';
const TOKEN = '[a-zA-Z0-9]{1,256}(-*[a-zA-Z0-9]){0,256}';
const MODEL_ID =
  '(arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:(([0-9]{12}:custom-model/[a-z0-9-]{1,63}[.]{1}[a-z0-9-:]{1,63}/[a-z0-9]{12}$)|(:foundation-model/([a-z0-9-]{1,63}[.]{1}[a-z0-9-]{1,63}([.]?[a-z0-9-]{1,63})([:][a-z0-9-]{1,63}){0,2})|(([0-9a-zA-Z][_-]?)+)$)|([0-9]{12}:(inference-profile|application-inference-profile)/[a-zA-Z0-9-:.]+$)))|([a-z0-9-]{1,63}[.]{1}[a-z0-9-]{1,63}([.]?[a-z0-9-]{1,63})([:][a-z0-9-]{1,63}){0,2})|(([0-9a-zA-Z][_-]?)+)';
export const S3_URI =
  "s3://[a-z0-9][-.a-z0-9]{1,61}[a-z0-9](?:/[-!_*'().a-z0-9A-Z]+(?:/[-!_*'().a-z0-9A-Z]+)*)?/?";
const ACCOUNT = '[0-9]{12}';
const KMS_KEY =
  '(arn:aws(-[^:]+)?:kms:[a-zA-Z0-9-]*:[0-9]{12}:((key/[a-zA-Z0-9-]{36})|(alias/[a-zA-Z0-9-_/]+)))|([a-zA-Z0-9-]{36})|(alias/[a-zA-Z0-9-_/]+)';
const TAG = '[a-zA-Z0-9\\s._:/=+@-]*';

export interface CreateRequest {
  jobName: string;
  roleArn: string;
  clientRequestToken?: string;
  modelId: string;
  baseModelId: string;
  inputDataConfig: { s3InputDataConfig: S3Config };
  outputDataConfig: { s3OutputDataConfig: S3Config };
  vpcConfig?: unknown;
  timeoutDurationInHours: number;
  modelInvocationType: InvocationType;
  tags?: unknown;
}

export function checkCreate(body: unknown): CreateRequest {
  if (!isObject(body))
    throw new ControlError('ValidationException', 'The request body must be a JSON object.');
  const v = new Violations();
  v.text('jobName', body.jobName, { required: true, min: 1, max: 63, pattern: JOB_NAME });
  v.text('roleArn', body.roleArn, { required: true, min: 0, max: 2048, pattern: ROLE_ARN });
  v.text('clientRequestToken', body.clientRequestToken, { min: 1, max: 256, pattern: TOKEN });
  v.text('modelId', body.modelId, { required: true, min: 1, max: 2048, pattern: MODEL_ID });
  s3Config(v, 'inputDataConfig', 's3InputDataConfig', body.inputDataConfig, (config, path) => {
    v.oneOf(`${path}.s3InputFormat`, config.s3InputFormat, ['JSONL']);
    v.text(`${path}.s3BucketOwner`, config.s3BucketOwner, { pattern: ACCOUNT });
  });
  s3Config(v, 'outputDataConfig', 's3OutputDataConfig', body.outputDataConfig, (config, path) => {
    v.text(`${path}.s3EncryptionKeyId`, config.s3EncryptionKeyId, { min: 1, max: 2048, pattern: KMS_KEY });
    v.text(`${path}.s3BucketOwner`, config.s3BucketOwner, { pattern: ACCOUNT });
  });
  vpc(v, body.vpcConfig);
  v.integer('timeoutDurationInHours', body.timeoutDurationInHours, 24, 168);
  tags(v, body.tags);
  v.oneOf('modelInvocationType', body.modelInvocationType, ['InvokeModel', 'Converse']);
  v.throwIfAny();
  const model = resolveModel(body.modelId as string);
  if (!model) throw new ControlError('ValidationException', 'The provided model identifier is invalid.');
  // An end-of-life model takes no new jobs: refused at create, with the runtime's wording.
  if (model.status === 'eol') throw new ControlError('ValidationException', END_OF_LIFE);
  return {
    jobName: body.jobName as string,
    roleArn: body.roleArn as string,
    ...(typeof body.clientRequestToken === 'string' ? { clientRequestToken: body.clientRequestToken } : {}),
    modelId: body.modelId as string,
    baseModelId: model.id,
    inputDataConfig: body.inputDataConfig as CreateRequest['inputDataConfig'],
    outputDataConfig: body.outputDataConfig as CreateRequest['outputDataConfig'],
    ...(body.vpcConfig === undefined ? {} : { vpcConfig: body.vpcConfig }),
    // Bedrock's default timeout is a day.
    timeoutDurationInHours: (body.timeoutDurationInHours as number | undefined) ?? 24,
    modelInvocationType: (body.modelInvocationType as InvocationType | undefined) ?? 'InvokeModel',
    ...(body.tags === undefined ? {} : { tags: body.tags }),
  };
}

/** The data configs are unions with one member, `s3InputDataConfig` / `s3OutputDataConfig`. */
function s3Config(
  v: Violations,
  path: string,
  member: string,
  value: unknown,
  more: (config: Record<string, unknown>, path: string) => void,
): void {
  if (value === undefined || value === null) {
    v.add(path, null, 'Member must not be null');
    return;
  }
  const config = isObject(value) ? value[member] : undefined;
  if (!isObject(value) || !isObject(config) || Object.keys(value).length !== 1) {
    v.add(path, value, `Member must have exactly one of [${member}] set`);
    return;
  }
  v.text(`${path}.${member}.s3Uri`, config.s3Uri, { required: true, min: 1, max: 1024, pattern: S3_URI });
  more(config, `${path}.${member}`);
}

function vpc(v: Violations, value: unknown): void {
  if (value === undefined || value === null) return;
  if (!isObject(value)) {
    v.add('vpcConfig', value, 'Member must be a structure');
    return;
  }
  const lists = [
    ['subnetIds', 16],
    ['securityGroupIds', 5],
  ] as const;
  for (const [member, max] of lists) {
    const list = value[member];
    if (!Array.isArray(list)) v.add(`vpcConfig.${member}`, list ?? null, 'Member must not be null');
    else if (list.length < 1 || list.length > max)
      v.add(`vpcConfig.${member}`, list, `Member must have length between 1 and ${max}`);
    else
      for (const [i, id] of list.entries())
        v.text(`vpcConfig.${member}.${i + 1}.member`, id, { max: 32, pattern: '[-0-9a-zA-Z]+' });
  }
}

function tags(v: Violations, value: unknown): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) {
    v.add('tags', value, 'Member must be a list');
    return;
  }
  if (value.length > 200) v.add('tags', value, 'Member must have length less than or equal to 200');
  value.forEach((tag, i) => {
    const t = isObject(tag) ? tag : {};
    v.text(`tags.${i + 1}.member.key`, t.key, { required: true, min: 1, max: 128, pattern: TAG });
    v.text(`tags.${i + 1}.member.value`, t.value, { required: true, min: 0, max: 256, pattern: TAG });
  });
}
