/**
 * The conditional writes the S3 lock is made of, against the emulator's S3 and moto with the real
 * SDK: `If-None-Match: *` refuses an existing key (412), `If-Match` refuses another ETag (412) on
 * PutObject and DeleteObject, and a missing key under `If-Match` is 404.
 */
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { type Moto, startMoto } from '../helpers/emulator-batch-moto.js';
import { getText, makeBucket, s3At } from '../helpers/s3-run.js';

process.env.AWS_EC2_METADATA_DISABLED = 'true';
const used = useEmulator();
let moto: Moto | undefined;
beforeAll(async () => {
  moto = await startMoto();
}, 60_000);
afterAll(() => moto?.stop());

const status = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const statusOf = (p: Promise<unknown>) => p.then(() => 200, status);

describe.each([
  ['the emulator', () => used.emulator.url],
  ['moto', () => (moto as Moto).url],
])('conditional writes in %s', (_name, url) => {
  it('If-None-Match: * creates once; If-Match writes and deletes only over the ETag held', async () => {
    const s3 = s3At(url());
    await makeBucket(s3, 'cond-bkt');
    const key = `lock-${Math.random()}`;
    const create = (body: string) =>
      s3.send(new PutObjectCommand({ Bucket: 'cond-bkt', Key: key, Body: body, IfNoneMatch: '*' }));
    const first = await create('one');
    expect(await statusOf(create('two'))).toBe(412);
    expect(await getText(s3, 'cond-bkt', key)).toBe('one');
    const refreshed = await s3.send(
      new PutObjectCommand({ Bucket: 'cond-bkt', Key: key, Body: 'three', IfMatch: first.ETag }),
    );
    // The ETag held is stale now: a second refresh with it, or a delete, is refused.
    expect(
      await statusOf(
        s3.send(new PutObjectCommand({ Bucket: 'cond-bkt', Key: key, Body: 'x', IfMatch: first.ETag })),
      ),
    ).toBe(412);
    expect(
      await statusOf(s3.send(new DeleteObjectCommand({ Bucket: 'cond-bkt', Key: key, IfMatch: first.ETag }))),
    ).toBe(412);
    expect(await getText(s3, 'cond-bkt', key)).toBe('three');
    await s3.send(new DeleteObjectCommand({ Bucket: 'cond-bkt', Key: key, IfMatch: refreshed.ETag }));
    expect(await getText(s3, 'cond-bkt', key)).toBeUndefined();
    expect(
      await statusOf(
        s3.send(new PutObjectCommand({ Bucket: 'cond-bkt', Key: key, Body: 'y', IfMatch: first.ETag })),
      ),
    ).toBe(404);
  });
});
