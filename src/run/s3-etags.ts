/**
 * HeadObject for every distinct `s3://` attachment of an input, before anything is sent, so a row's
 * fingerprint (and its answer ledger key) holds the object's ETag: an object replaced under the
 * same key is asked about again, not answered from the old object's answer. One call per distinct
 * URI per run, AT_ONCE at a time.
 *
 * An object that is missing or that S3 will not show is the row's input error (exit 2 before any
 * call: Bedrock reads it with the same credentials and would refuse the row anyway). S3 itself out
 * of reach (no credentials, no network) is one setup error, not one per row.
 * With --emulate no object is looked at: the emulator's model never reads it.
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { s3ClientFor } from '../engines/batch/clients.js';
import { RunBatchError } from '../errors.js';
import type { JobSpec } from '../job/spec.js';
import type { EtagLookup } from '../plan/s3-objects.js';

const AT_ONCE = 16;

export function etagLookup(spec: JobSpec, env: NodeJS.ProcessEnv): EtagLookup | undefined {
  if (spec.emulate || spec.attach.length === 0) return undefined;
  return async (uris) => {
    const s3 = s3ClientFor({
      region: spec.region,
      env,
      ...(spec.profile === undefined ? {} : { profile: spec.profile }),
    });
    const limit = pLimit(AT_ONCE);
    const etags = new Map<string, string | Error>();
    try {
      await Promise.all(uris.map((uri) => limit(async () => etags.set(uri, await etagOf(s3, uri)))));
    } finally {
      s3.destroy();
    }
    return etags;
  };
}

/** As a PlanOptions member: absent when no object is to be looked at. */
export function etagOption(spec: JobSpec, env: NodeJS.ProcessEnv): { s3Etags?: EtagLookup } {
  const lookup = etagLookup(spec, env);
  return lookup ? { s3Etags: lookup } : {};
}

async function etagOf(s3: ReturnType<typeof s3ClientFor>, uri: string): Promise<string | Error> {
  const [bucket, ...key] = uri.slice('s3://'.length).split('/');
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key.join('/') }));
    return head.ETag ?? new Error('S3 gave no ETag for it');
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404) return new Error('no such object in S3 (HeadObject answered 404 Not Found)');
    if (status === 403)
      return new Error(
        'S3 refused to show it (HeadObject answered 403 Forbidden); Bedrock reads it with the same credentials',
      );
    throw new RunBatchError(
      'CONFIG',
      `cannot look at the s3:// attachments in S3 (${uri}): ${(error as Error).message}`,
      { cause: error },
    );
  }
}
