"""Drives the emulator's S3 with unmodified boto3 (botocore 1.43, checksums on by default) and
prints what boto3 saw, as one JSON document: digests refused and nothing stored, checksums echoed,
CreateBucket of one's own bucket by region, and NotImplemented for what the emulator lacks.

Run by test/integration/emulator-strict-s3.test.ts with AWS_ENDPOINT_URL_S3 at the emulator.
"""
import base64
import hashlib
import io
import json
import zlib

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

CONFIG = Config(s3={"addressing_style": "path"})
s3 = boto3.client("s3", config=CONFIG)
BUCKET = "strict-boto3"
out = {}
sent = []


def text(value):
    return value.decode() if isinstance(value, bytes) else value


s3.meta.events.register("before-send.s3.*", lambda request, **_: sent.append(
    {k.lower(): text(v) for k, v in request.headers.items()}))


def error_of(call):
    try:
        call()
    except ClientError as e:
        return {"code": e.response["Error"].get("Code"),
                "status": e.response["ResponseMetadata"].get("HTTPStatusCode"),
                "message": e.response["Error"].get("Message")}
    return None


def b64(raw):
    return base64.b64encode(raw).decode()


def crc32(body):
    return b64(zlib.crc32(body).to_bytes(4, "big"))


s3.create_bucket(Bucket=BUCKET)
# CreateBucket of a bucket you own: 200 in us-east-1; BucketAlreadyOwnedByYou elsewhere.
out["createAgainUsEast1"] = s3.create_bucket(Bucket=BUCKET)["ResponseMetadata"]["HTTPStatusCode"]
west = boto3.client("s3", region_name="eu-west-1", config=CONFIG)
out["createAgainEuWest1"] = error_of(lambda: west.create_bucket(
    Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}))

# botocore's default: a CRC32 of the body, echoed on PutObject.
put = s3.put_object(Bucket=BUCKET, Key="plain.txt", Body=b"hello world")
out["defaultSent"] = {k: v for k, v in sent[-1].items() if k.startswith("x-amz-checksum") or k.startswith("x-amz-sdk-checksum")}
out["defaultEcho"] = {"crc32": put.get("ChecksumCRC32"), "expected": crc32(b"hello world"), "type": put.get("ChecksumType")}
for algorithm in ["SHA1", "SHA256", "CRC32"]:
    body = f"body for {algorithm}".encode()
    echo = s3.put_object(Bucket=BUCKET, Key=f"alg-{algorithm}", Body=body, ChecksumAlgorithm=algorithm)
    got = s3.get_object(Bucket=BUCKET, Key=f"alg-{algorithm}", ChecksumMode="ENABLED")
    got["Body"].read()  # botocore validates the checksum while reading
    expected = {"SHA1": b64(hashlib.sha1(body).digest()), "SHA256": b64(hashlib.sha256(body).digest()),
                "CRC32": crc32(body)}[algorithm]
    out[f"alg{algorithm}"] = {"put": echo.get(f"Checksum{algorithm}"), "get": got.get(f"Checksum{algorithm}"),
                             "expected": expected}
head = s3.head_object(Bucket=BUCKET, Key="plain.txt", ChecksumMode="ENABLED")
out["headEnabled"] = head.get("ChecksumCRC32")
# botocore asks for checksums by default (response_checksum_validation=when_supported): opt out.
plain = boto3.client("s3", config=CONFIG.merge(Config(response_checksum_validation="when_required")))
out["getWithoutMode"] = plain.get_object(Bucket=BUCKET, Key="plain.txt").get("ChecksumCRC32")
ranged = s3.get_object(Bucket=BUCKET, Key="plain.txt", Range="bytes=0-4", ChecksumMode="ENABLED")
out["rangeEnabled"] = {"crc32": ranged.get("ChecksumCRC32"), "body": ranged["Body"].read().decode()}

# Wrong digests: BadDigest, and the key keeps what it had (or stays absent).
wrong_md5 = b64(hashlib.md5(b"something else").digest())
out["badMd5"] = error_of(lambda: s3.put_object(Bucket=BUCKET, Key="plain.txt", Body=b"changed", ContentMD5=wrong_md5))
out["badMd5New"] = error_of(lambda: s3.put_object(Bucket=BUCKET, Key="never.txt", Body=b"x", ContentMD5=wrong_md5))
out["goodMd5"] = s3.put_object(Bucket=BUCKET, Key="md5.txt", Body=b"x",
                               ContentMD5=b64(hashlib.md5(b"x").digest()))["ResponseMetadata"]["HTTPStatusCode"]
out["invalidMd5"] = error_of(lambda: s3.put_object(Bucket=BUCKET, Key="never.txt", Body=b"x", ContentMD5="bm90IGFuIG1kNQ=="))
out["badSha256"] = error_of(lambda: s3.put_object(Bucket=BUCKET, Key="never.txt", Body=b"x",
                                                  ChecksumSHA256=b64(hashlib.sha256(b"y").digest())))
out["badCrc32"] = error_of(lambda: s3.put_object(Bucket=BUCKET, Key="plain.txt", Body=b"changed",
                                                 ChecksumCRC32=crc32(b"other")))
out["afterBad"] = s3.get_object(Bucket=BUCKET, Key="plain.txt")["Body"].read().decode()
out["neverStored"] = error_of(lambda: s3.head_object(Bucket=BUCKET, Key="never.txt"))

# Multipart through s3transfer, with botocore's per-part checksums: still works.
big = bytes(range(256)) * (6 * 1024 * 4 + 3)  # ~6 MiB: two parts
s3.upload_fileobj(io.BytesIO(big), BUCKET, "big.bin",
                  Config=TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024))
part_headers = [h for h in sent if "x-amz-checksum-crc32" in h]
out["multipart"] = {"same": s3.get_object(Bucket=BUCKET, Key="big.bin", ChecksumMode="ENABLED")["Body"].read() == big,
                    "etag": s3.head_object(Bucket=BUCKET, Key="big.bin")["ETag"], "checksummedRequests": len(part_headers)}

# What the emulator does not implement: one NotImplemented (501), whether or not the key exists.
out["notImplemented"] = {
    "GetObjectTagging": error_of(lambda: s3.get_object_tagging(Bucket=BUCKET, Key="plain.txt")),
    "GetObjectTaggingMissing": error_of(lambda: s3.get_object_tagging(Bucket=BUCKET, Key="missing")),
    "GetObjectAcl": error_of(lambda: s3.get_object_acl(Bucket=BUCKET, Key="plain.txt")),
    "PutBucketVersioning": error_of(lambda: s3.put_bucket_versioning(
        Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})),
    "GetBucketTagging": error_of(lambda: s3.get_bucket_tagging(Bucket=BUCKET)),
    "ListObjects": error_of(lambda: s3.list_objects(Bucket=BUCKET)),
    "CopyObject": error_of(lambda: s3.copy_object(Bucket=BUCKET, Key="copy.txt",
                                                  CopySource={"Bucket": BUCKET, "Key": "plain.txt"})),
    "ListMultipartUploads": error_of(lambda: s3.list_multipart_uploads(Bucket=BUCKET)),
}
out["stillThere"] = s3.get_object(Bucket=BUCKET, Key="plain.txt")["Body"].read().decode()
print(json.dumps(out))
