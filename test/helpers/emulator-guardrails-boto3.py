"""Drives the emulator's guardrail control plane (and ApplyGuardrail) with unmodified boto3; prints
what boto3 saw as one JSON document, with every raw response body checked against botocore's
output shape (required members, no unknown members, enums, patterns, lengths, types).

Run by test/integration/emulator-guardrails-boto3.test.ts with AWS_ENDPOINT_URL_BEDROCK and
AWS_ENDPOINT_URL_BEDROCK_RUNTIME pointing at the emulator.
"""
import json
import re

import boto3
from botocore.exceptions import ClientError

bedrock = boto3.client("bedrock")
runtime = boto3.client("bedrock-runtime")
out = {"shapeProblems": [], "shapesChecked": []}
raw = {}


def keep_raw(http_response, operation_model, **_):
    raw[operation_model.name] = http_response.content


for client in (bedrock, runtime):
    client.meta.events.register("after-call", lambda http_response, model, **kw: keep_raw(http_response, model))


def check(shape, value, path):
    """Problems of a raw JSON value against a botocore shape."""
    problems = []
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected an object"]
        for name in shape.required_members:
            if name not in value:
                problems.append(f"{path}.{name}: required, missing")
        for name, member in value.items():
            if name not in shape.members:
                problems.append(f"{path}.{name}: not in the shape")
            else:
                problems += check(shape.members[name], member, f"{path}.{name}")
    elif kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        meta = shape.metadata
        if "min" in meta and len(value) < meta["min"] or "max" in meta and len(value) > meta["max"]:
            problems.append(f"{path}: {len(value)} items outside [{meta.get('min')}, {meta.get('max')}]")
        for i, item in enumerate(value):
            problems += check(shape.member, item, f"{path}[{i}]")
    elif kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected a map"]
        for k, item in value.items():
            problems += check(shape.value, item, f"{path}[{k}]")
    elif kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string, got {value!r}"]
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} not in {shape.enum}")
        meta = shape.metadata
        if "pattern" in meta and not re.fullmatch(meta["pattern"], value):
            problems.append(f"{path}: {value!r} does not match {meta['pattern']}")
        if "min" in meta and len(value) < meta["min"] or "max" in meta and len(value) > meta["max"]:
            problems.append(f"{path}: length {len(value)} outside [{meta.get('min')}, {meta.get('max')}]")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path}: expected an integer, got {value!r}")
    elif kind in ("double", "float"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append(f"{path}: expected a number")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: expected a boolean")
    elif kind == "timestamp":
        if not isinstance(value, (str, int, float)):
            problems.append(f"{path}: expected a timestamp")
    return problems


def call(client, operation, **params):
    """Calls an operation and checks its raw body against the operation's output shape."""
    result = getattr(client, operation)(**params)
    model = client.meta.service_model.operation_model(client.meta.method_to_api_mapping[operation])
    body = raw.pop(model.name)
    out["shapesChecked"].append(model.name)
    out["shapeProblems"] += [f"{model.name} {p}" for p in check(model.output_shape, json.loads(body), "")] if model.output_shape else []
    result.pop("ResponseMetadata", None)
    return result


def error_of(fn):
    try:
        fn()
    except ClientError as e:
        return {"class": type(e).__name__, "code": e.response["Error"].get("Code"),
                "status": e.response["ResponseMetadata"].get("HTTPStatusCode"),
                "message": e.response["Error"].get("Message")}
    return None


POLICIES = dict(
    topicPolicyConfig={"topicsConfig": [{"name": "Investment advice", "type": "DENY",
                                         "definition": "Recommendations about stocks, bonds or portfolio allocation",
                                         "examples": ["Which stocks should I buy?"]}]},
    contentPolicyConfig={"filtersConfig": [{"type": "HATE", "inputStrength": "HIGH", "outputStrength": "HIGH"},
                                           {"type": "PROMPT_ATTACK", "inputStrength": "HIGH", "outputStrength": "NONE"}]},
    wordPolicyConfig={"wordsConfig": [{"text": "blueberry"}], "managedWordListsConfig": [{"type": "PROFANITY"}]},
    sensitiveInformationPolicyConfig={"piiEntitiesConfig": [{"type": "EMAIL", "action": "ANONYMIZE"},
                                                            {"type": "AWS_ACCESS_KEY", "action": "BLOCK"}],
                                      "regexesConfig": [{"name": "ticket", "pattern": "TKT-[0-9]{4}", "action": "ANONYMIZE"}]},
)
created = call(bedrock, "create_guardrail", name="boto3-guardrail", description="made by boto3",
               blockedInputMessaging="Sorry, I cannot answer that.", blockedOutputsMessaging="Sorry, the answer was blocked.",
               clientRequestToken="boto3-guardrail-token", **POLICIES)
gid = created["guardrailId"]
out["created"] = {"id": gid, "arn": created["guardrailArn"], "version": created["version"],
                  "createdAtIsDate": hasattr(created["createdAt"], "isoformat")}
out["idempotent"] = call(bedrock, "create_guardrail", name="boto3-guardrail", blockedInputMessaging="x",
                         blockedOutputsMessaging="y", clientRequestToken="boto3-guardrail-token")["guardrailId"] == gid
draft = call(bedrock, "get_guardrail", guardrailIdentifier=gid)
out["draft"] = {k: draft.get(k) for k in ("name", "version", "status", "blockedInputMessaging", "topicPolicy",
                                          "contentPolicy", "wordPolicy", "sensitiveInformationPolicy")}
out["byArn"] = call(bedrock, "get_guardrail", guardrailIdentifier=created["guardrailArn"], guardrailVersion="DRAFT")["guardrailId"]
out["version1"] = call(bedrock, "create_guardrail_version", guardrailIdentifier=gid, description="first")["version"]
call(bedrock, "update_guardrail", guardrailIdentifier=gid, name="boto3-guardrail", blockedInputMessaging="Changed.",
     blockedOutputsMessaging="Changed too.", wordPolicyConfig={"wordsConfig": [{"text": "raspberry"}]})
out["version2"] = call(bedrock, "create_guardrail_version", guardrailIdentifier=gid)["version"]
v1 = call(bedrock, "get_guardrail", guardrailIdentifier=gid, guardrailVersion="1")
v2 = call(bedrock, "get_guardrail", guardrailIdentifier=gid, guardrailVersion="2")
out["frozen"] = {"v1": [v1["blockedInputMessaging"], v1["description"], [w["text"] for w in v1["wordPolicy"]["words"]]],
                 "v2": [v2["blockedInputMessaging"], [w["text"] for w in v2["wordPolicy"]["words"]], "topicPolicy" in v2]}
call(bedrock, "create_guardrail", name="boto3-second", blockedInputMessaging="a", blockedOutputsMessaging="b",
     wordPolicyConfig={"wordsConfig": [{"text": "kiwi"}]})
out["listed"] = [(g["name"], g["version"]) for g in call(bedrock, "list_guardrails")["guardrails"]]
out["versions"] = [g["version"] for g in call(bedrock, "list_guardrails", guardrailIdentifier=gid)["guardrails"]]
page = call(bedrock, "list_guardrails", guardrailIdentifier=gid, maxResults=2)
out["paged"] = [[g["version"] for g in page["guardrails"]], "nextToken" in page]

# ApplyGuardrail on version 1 (the frozen first policy)
applied = call(runtime, "apply_guardrail", guardrailIdentifier=gid, guardrailVersion="1", source="INPUT",
               content=[{"text": {"text": "Mail me at ann@example.com about TKT-1234"}}], outputScope="FULL")
out["applyMasked"] = {"action": applied["action"], "outputs": applied["outputs"], "usage": applied["usage"],
                      "pii": applied["assessments"][0]["sensitiveInformationPolicy"]}
blocked = call(runtime, "apply_guardrail", guardrailIdentifier=gid, guardrailVersion="1", source="INPUT",
               content=[{"text": {"text": "I love blueberry pie"}}])
out["applyBlocked"] = {"action": blocked["action"], "outputs": blocked["outputs"],
                       "words": blocked["assessments"][0]["wordPolicy"]}

# Converse with trace enabled_full: the trace's raw JSON is checked against GuardrailTraceAssessment.
conversed = call(runtime, "converse", modelId="global.anthropic.claude-haiku-4-5-20251001-v1:0",
                 messages=[{"role": "user", "content": [{"text": "Mail ann@example.com [[emulator:guardrail=output:HATE]]"}]}],
                 inferenceConfig={"maxTokens": 20},
                 guardrailConfig={"guardrailIdentifier": gid, "guardrailVersion": "1", "trace": "enabled_full"})
out["converse"] = {"stopReason": conversed["stopReason"], "text": conversed["output"]["message"]["content"][0]["text"],
                   "trace": sorted(conversed["trace"]["guardrail"].keys())}

out["errors"] = {
    "getUnknown": error_of(lambda: bedrock.get_guardrail(guardrailIdentifier="nope0000000x")),
    "getUnknownVersion": error_of(lambda: bedrock.get_guardrail(guardrailIdentifier=gid, guardrailVersion="9")),
    "badName": error_of(lambda: bedrock.create_guardrail(name="bad name!", blockedInputMessaging="a",
                                                          blockedOutputsMessaging="b")),
    "nameTaken": error_of(lambda: bedrock.create_guardrail(name="boto3-second", blockedInputMessaging="a",
                                                            blockedOutputsMessaging="b")),
    "unsupported": error_of(lambda: bedrock.create_guardrail(name="boto3-cross", blockedInputMessaging="a",
                                                              blockedOutputsMessaging="b",
                                                              crossRegionConfig={"guardrailProfileIdentifier": "us.guardrail.v1:0"})),
    "applyUnknown": error_of(lambda: runtime.apply_guardrail(guardrailIdentifier="nope0000000x", guardrailVersion="1",
                                                             source="INPUT", content=[{"text": {"text": "hi"}}])),
    "applyUnknownVersion": error_of(lambda: runtime.apply_guardrail(guardrailIdentifier=gid, guardrailVersion="7",
                                                                    source="INPUT", content=[{"text": {"text": "hi"}}])),
}
call(bedrock, "delete_guardrail", guardrailIdentifier=gid, guardrailVersion="1")
out["afterVersionDelete"] = [g["version"] for g in call(bedrock, "list_guardrails", guardrailIdentifier=gid)["guardrails"]]
call(bedrock, "delete_guardrail", guardrailIdentifier=gid)
out["deleted"] = error_of(lambda: bedrock.get_guardrail(guardrailIdentifier=gid))
print(json.dumps(out, default=str))
