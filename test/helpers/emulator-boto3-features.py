"""Drives the emulator's late-2026 features with unmodified boto3 and prints what boto3 saw.

Run by test/integration/emulator-boto3-features.test.ts with AWS_ENDPOINT_URL_BEDROCK_RUNTIME set:
versions, tool use (Converse, stream, native), structured output, caching, tiers, catalogue,
validation and thinking. Assertions are in the test; this only records.
"""
import json

import boto3
from botocore.exceptions import ClientError, ParamValidationError

client = boto3.client("bedrock-runtime")
HAIKU = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
NOVA_PRO = "us.amazon.nova-pro-v1:0"
out = {}
WEATHER = {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}},
           "required": ["city"], "additionalProperties": False}
TOOLS = {"tools": [{"toolSpec": {"name": "get_weather", "inputSchema": {"json": WEATHER}}}], "toolChoice": {"any": {}}}


def messages(text):
    return [{"role": "user", "content": [{"text": text}]}]


def error_of(call):
    try:
        call()
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"]}
    except ParamValidationError:
        # botocore checks the model's own constraints (such as min lengths) before sending.
        return {"code": "ParamValidationError", "message": "refused by botocore before sending"}
    return None


def invoke(model, body, **kw):
    r = client.invoke_model(modelId=model, body=json.dumps(body), **kw)
    return json.loads(r["body"].read()), r


for version in ["bedrock-2023-05-31", "2026-10-21"]:
    body, _ = invoke(HAIKU, {"anthropic_version": version, "anthropic_beta": ["x"], "max_tokens": 20,
                             "messages": [{"role": "user", "content": "hi"}]})
    out[version] = body["stop_reason"]
out["badVersion"] = error_of(lambda: invoke(HAIKU, {"anthropic_version": "v1", "max_tokens": 5,
                                                    "messages": [{"role": "user", "content": "hi"}]}))

tool = client.converse(modelId=HAIKU, messages=messages("hi"), toolConfig=TOOLS)
out["tool"] = {"stopReason": tool["stopReason"], "block": tool["output"]["message"]["content"][0]}
stream = client.converse_stream(modelId=HAIKU, messages=messages("hi"), toolConfig=TOOLS)
events = list(stream["stream"])
out["toolStream"] = {
    "start": next(e["contentBlockStart"]["start"] for e in events if "contentBlockStart" in e),
    "input": "".join(e["contentBlockDelta"]["delta"]["toolUse"]["input"] for e in events
                     if "contentBlockDelta" in e and "toolUse" in e["contentBlockDelta"]["delta"]),
    "stop": next(e["messageStop"]["stopReason"] for e in events if "messageStop" in e),
}
native, _ = invoke(HAIKU, {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 200,
                           "messages": [{"role": "user", "content": "hi"}],
                           "tools": [{"name": "get_weather", "input_schema": WEATHER}], "tool_choice": {"type": "any"}})
out["nativeTool"] = native["content"][0]
call = tool["output"]["message"]["content"][0]
result = client.converse(modelId=HAIKU, toolConfig=TOOLS | {"toolChoice": {"auto": {}}}, messages=messages("hi") + [
    {"role": "assistant", "content": [call]},
    {"role": "user", "content": [{"toolResult": {"toolUseId": call["toolUse"]["toolUseId"], "content": [{"text": "21C"}]}}]}])
out["toolResult"] = {"stopReason": result["stopReason"], "text": result["output"]["message"]["content"][0].get("text")}
out["noToolConfig"] = error_of(lambda: client.converse(modelId=HAIKU, messages=messages("hi") + [
    {"role": "assistant", "content": [call]},
    {"role": "user", "content": [{"toolResult": {"toolUseId": "t", "content": [{"text": "x"}]}}]}]))

schema = {"type": "object", "properties": {"when": {"type": "string", "format": "date"},
                                           "tags": {"type": "array", "items": {"enum": ["a", "b"]}, "minItems": 2}},
          "required": ["when", "tags"], "additionalProperties": False}
fmt = {"textFormat": {"type": "json_schema", "structure": {"jsonSchema": {"schema": json.dumps(schema)}}}}
structured = client.converse(modelId=HAIKU, messages=messages("extract"), outputConfig=fmt)
out["structured"] = {"schema": schema, "text": structured["output"]["message"]["content"][0]["text"]}
out["badjson"] = [client.converse(modelId=HAIKU, messages=messages("[[emulator:badjson=1]] x"),
                                  outputConfig=fmt)["output"]["message"]["content"][0]["text"] for _ in range(2)]

system = [{"text": "alpha " * 5000}, {"cachePoint": {"type": "default"}}]
out["cache"] = [client.converse(modelId=HAIKU, system=system, messages=messages("q"))["usage"] for _ in range(2)]

tiered = client.converse(modelId=NOVA_PRO, messages=messages("hi"), serviceTier={"type": "priority"},
                         performanceConfig={"latency": "optimized"})
out["tier"] = {"serviceTier": tiered.get("serviceTier"), "performanceConfig": tiered.get("performanceConfig")}
_, raw = invoke(NOVA_PRO, {"messages": messages("hi")}, serviceTier="flex")
out["tierHeader"] = raw["ResponseMetadata"]["HTTPHeaders"].get("x-amzn-bedrock-service-tier")
out["tierRefused"] = error_of(lambda: client.converse(modelId=HAIKU, messages=messages("hi"), serviceTier={"type": "flex"}))

out["eol"] = error_of(lambda: client.converse(modelId="anthropic.claude-3-haiku-20240307-v1:0", messages=messages("hi")))
out["profileOnly"] = error_of(lambda: client.converse(modelId="anthropic.claude-opus-4-6-v1", messages=messages("hi")))
out["current"] = [client.converse(modelId=m, messages=messages("hi"))["stopReason"] for m in
                  ["global.anthropic.claude-sonnet-4-6", "global.amazon.nova-2-lite-v1:0", "mistral.ministral-3-3b-instruct"]]
out["topP"] = error_of(lambda: client.converse(modelId=HAIKU, messages=messages("hi"),
                                               inferenceConfig={"temperature": 0.3, "topP": 0.8}))
out["emptyTools"] = error_of(lambda: client.converse(modelId=HAIKU, messages=messages("hi"), toolConfig={"tools": []}))
thinking = client.converse(modelId=HAIKU, messages=messages("think"), inferenceConfig={"maxTokens": 2048},
                           additionalModelRequestFields={"thinking": {"type": "enabled", "budget_tokens": 1024}})
out["thinking"] = [list(b.keys())[0] for b in thinking["output"]["message"]["content"]]
print(json.dumps(out))
