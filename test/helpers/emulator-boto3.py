"""Drives the emulator with unmodified boto3 and prints what boto3 saw, as one JSON document.

Run by test/integration/emulator-boto3.test.ts with AWS_ENDPOINT_URL_BEDROCK_RUNTIME set.
argv[1] is a JSON list of native InvokeModel cases: {"family", "modelId", "body"}.
"""
import json
import sys

import boto3
import botocore
from botocore.exceptions import ClientError, EventStreamError

client = boto3.client("bedrock-runtime")
HAIKU = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
out = {"versions": {"boto3": boto3.__version__, "botocore": botocore.__version__}}


def messages(text):
    return [{"role": "user", "content": [{"text": text}]}]


def anthropic(text, max_tokens=20):
    return json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": max_tokens,
                       "messages": [{"role": "user", "content": text}]})


def error_of(call):
    """The exception class boto3 raised, its parsed code and message, and the HTTP status."""
    try:
        call()
    except ClientError as e:
        error = e.response["Error"]
        return {"class": type(e).__name__, "code": error.get("Code"), "message": error.get("Message"),
                "status": e.response["ResponseMetadata"].get("HTTPStatusCode"),
                "modeled": type(e) is not ClientError and isinstance(e, getattr(client.exceptions, error.get("Code"), ()))}
    return None


# Converse and ConverseStream
converse = client.converse(modelId=HAIKU, messages=messages("Summarize this ticket"), inferenceConfig={"maxTokens": 20})
out["converse"] = {k: converse[k] for k in ("output", "stopReason", "usage", "metrics")}
stream = client.converse_stream(modelId=HAIKU, messages=messages("Summarize this ticket"), inferenceConfig={"maxTokens": 20})
out["converseStream"] = [event for event in stream["stream"]]

# InvokeModel and its stream, for every family
out["invoke"] = []
for case in json.loads(sys.argv[1]):
    invoked = client.invoke_model(modelId=case["modelId"], body=json.dumps(case["body"]))
    streamed = client.invoke_model_with_response_stream(modelId=case["modelId"], body=json.dumps(case["body"]),
                                                         accept="application/json", contentType="application/json")
    out["invoke"].append({
        "family": case["family"],
        "body": json.loads(invoked["body"].read()),
        "contentType": invoked["contentType"],
        "headers": invoked["ResponseMetadata"]["HTTPHeaders"],
        "streamContentType": streamed["contentType"],
        "chunks": [json.loads(event["chunk"]["bytes"]) for event in streamed["body"]],
    })

# CountTokens, both inputs
out["countTokens"] = {
    "converse": client.count_tokens(modelId=HAIKU, input={"converse": {"messages": messages("Summarize this ticket")}})["inputTokens"],
    "invokeModel": client.count_tokens(modelId=HAIKU, input={"invokeModel": {"body": anthropic("Summarize this ticket")}})["inputTokens"],
}

# Errors: every exception name through Converse and InvokeModel, and validation
out["errors"] = {}
for name in json.loads(sys.argv[2]):
    directive = "[[emulator:error=%s]]" % name
    out["errors"][name] = [
        error_of(lambda: client.converse(modelId=HAIKU, messages=messages(directive))),
        error_of(lambda: client.invoke_model(modelId=HAIKU, body=anthropic(directive))),
    ]
out["unknownModel"] = [
    error_of(lambda: client.converse(modelId="anthropic.claude-9", messages=messages("hi"))),
    error_of(lambda: client.converse_stream(modelId="anthropic.claude-9", messages=messages("hi"))),
    error_of(lambda: client.invoke_model(modelId="anthropic.claude-9", body=anthropic("hi"))),
    error_of(lambda: client.invoke_model_with_response_stream(modelId="anthropic.claude-9", body=anthropic("hi"))),
    error_of(lambda: client.count_tokens(modelId="anthropic.claude-9", input={"converse": {"messages": messages("hi")}})),
]
out["noMaxTokens"] = error_of(lambda: client.invoke_model(modelId=HAIKU, body='{"anthropic_version":"bedrock-2023-05-31","messages":[]}'))

# In-stream exceptions: botocore raises EventStreamError with the lowerCamel code
out["midstream"] = {}
for name in ("ModelStreamErrorException", "ThrottlingException", "InternalServerException"):
    seen = []
    for op in ("converse", "invoke"):
        directive = "[[emulator:midstream=%s]]" % name
        try:
            if op == "converse":
                events = client.converse_stream(modelId=HAIKU, messages=messages(directive))["stream"]
            else:
                events = client.invoke_model_with_response_stream(modelId=HAIKU, body=anthropic(directive))["body"]
            received = [list(event.keys())[0] for event in events]
            seen.append({"op": op, "received": received, "error": None})
        except EventStreamError as e:
            seen.append({"op": op, "received": None, "error": e.response["Error"]})
    out["midstream"][name] = seen

print(json.dumps(out))
