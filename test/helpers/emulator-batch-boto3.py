"""Drives the emulator's batch control plane and S3 with unmodified boto3 and prints what boto3 saw.

Run by test/integration/emulator-batch-boto3.test.ts with AWS_ENDPOINT_URL_BEDROCK and
AWS_ENDPOINT_URL_S3 pointing at the emulator. argv[1] is the JSONL body of the job's input.
"""
import io
import json
import sys
import time

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

s3 = boto3.client("s3", config=Config(s3={"addressing_style": "path"}))
bedrock = boto3.client("bedrock")
BUCKET = "boto3-batch"
ROLE = "arn:aws:iam::123456789012:role/BedrockBatch"
MODEL = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
out = {}


def error_of(call):
    try:
        call()
    except ClientError as e:
        return {"class": type(e).__name__, "code": e.response["Error"].get("Code"),
                "status": e.response["ResponseMetadata"].get("HTTPStatusCode"),
                "message": e.response["Error"].get("Message")}
    return None


def job(name, uri, **more):
    return bedrock.create_model_invocation_job(
        jobName=name, roleArn=ROLE, modelId=MODEL,
        inputDataConfig={"s3InputDataConfig": {"s3Uri": uri}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": f"s3://{BUCKET}/out/"}}, **more)["jobArn"]


# S3: bucket, objects (a key boto3 must URL-decode from list-objects-v2), a multipart upload
s3.create_bucket(Bucket=BUCKET)
s3.put_object(Bucket=BUCKET, Key="in/records.jsonl", Body=sys.argv[1].encode())
s3.put_object(Bucket=BUCKET, Key="in/odd key+plus.txt", Body=b"x")
out["listed"] = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="in/")["Contents"]]
big = b"0123456789abcdef" * (6 * 1024 * 1024 // 16 + 1)
s3.upload_fileobj(io.BytesIO(big), BUCKET, "big.bin",
                  Config=TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024))
head = s3.head_object(Bucket=BUCKET, Key="big.bin")
out["big"] = {"size": head["ContentLength"], "etag": head["ETag"], "expected": len(big),
              "same": s3.get_object(Bucket=BUCKET, Key="big.bin")["Body"].read() == big}
out["noSuchKey"] = error_of(lambda: s3.get_object(Bucket=BUCKET, Key="missing"))
out["noSuchBucket"] = error_of(lambda: s3.list_objects_v2(Bucket="no-such-bucket-boto3"))

# Control plane: a job to its end, its output, List, Stop and errors
arn = job("boto3-job", f"s3://{BUCKET}/in/records.jsonl", modelInvocationType="Converse", clientRequestToken="boto3-token-1")
out["again"] = job("boto3-job", f"s3://{BUCKET}/in/records.jsonl", modelInvocationType="Converse", clientRequestToken="boto3-token-1") == arn
for _ in range(2000):
    got = bedrock.get_model_invocation_job(jobIdentifier=arn)
    if got["status"] not in ("Submitted", "Validating", "Scheduled", "InProgress", "Stopping"):
        break
    time.sleep(0.01)
out["job"] = {k: got.get(k) for k in ("status", "totalRecordCount", "successRecordCount", "errorRecordCount",
                                          "modelInvocationType", "jobName")}
out["timesAreDates"] = all(hasattr(got[k], "isoformat") for k in ("submitTime", "lastModifiedTime", "endTime"))
job_id = arn.rsplit("/", 1)[1]
out["outputKeys"] = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=f"out/{job_id}/")["Contents"])
lines = s3.get_object(Bucket=BUCKET, Key=f"out/{job_id}/records.jsonl.out")["Body"].read().decode().splitlines()
out["recordIds"] = sorted(json.loads(line)["recordId"] for line in lines)
out["manifest"] = json.loads(s3.get_object(Bucket=BUCKET, Key=f"out/{job_id}/manifest.json.out")["Body"].read())
out["listed_jobs"] = [j["jobName"] for j in bedrock.list_model_invocation_jobs(nameContains="boto3")["invocationJobSummaries"]]
out["conflict"] = error_of(lambda: job("boto3-job", f"s3://{BUCKET}/in/", clientRequestToken="boto3-token-2"))
out["validation"] = error_of(lambda: job("bad name!", f"s3://{BUCKET}/in/"))
out["notFound"] = error_of(lambda: bedrock.get_model_invocation_job(jobIdentifier="aaaaaaaaaaaa"))
stopped = job("boto3-stop", f"s3://{BUCKET}/in/")
bedrock.stop_model_invocation_job(jobIdentifier=stopped)
for _ in range(2000):
    status = bedrock.get_model_invocation_job(jobIdentifier=stopped)["status"]
    if status != "Stopping":
        break
    time.sleep(0.01)
out["stopped"] = status
print(json.dumps(out, default=str))
