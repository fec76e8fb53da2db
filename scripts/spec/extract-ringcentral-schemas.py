#!/usr/bin/env python3
"""Extracts, from RingCentral's published OpenAPI spec, the response schemas of the
endpoints the RingCentral sandbox serves, into a small JSON fixture the Swift tests
check the sandbox's answers against (so the tests never need python or the 50k-line spec).

Usage: scripts/spec/extract-ringcentral-schemas.py [spec.yml] [out.json]

`$ref`s are resolved and `allOf`s merged up to a limited depth; only what a structural
check needs is kept (type, properties, required, items, enum, additionalProperties).
"""
import json
import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SPEC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "shared", "specs", "ringcentral-openapi.yml")
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "Tests", "ProviderSandboxTests", "Fixtures", "ringcentral-schemas.json")
MAX_DEPTH = 8  # `$ref` hops along one branch; cuts the spec's recursive schemas

ACCOUNT = "/restapi/v1.0/account/{accountId}"
EXTENSION = ACCOUNT + "/extension/{extensionId}"

# (key in the fixture, path, method, status, media type). The key is the sandbox's endpoint name.
OPERATIONS = [
    ("POST /restapi/oauth/token", "/restapi/oauth/token", "post", "200"),
    ("GET /restapi/v1.0/account/~", ACCOUNT, "get", "200"),
    ("GET /restapi/v1.0/account/~/extension/~", EXTENSION, "get", "200"),
    ("GET /restapi/v1.0/account/~/extension/~/phone-number", EXTENSION + "/phone-number", "get", "200"),
    ("GET /restapi/v1.0/account/~/extension/~/business-hours", EXTENSION + "/business-hours", "get", "200"),
    ("POST /restapi/v1.0/account/~/extension/~/ring-out", EXTENSION + "/ring-out", "post", "200"),
    ("GET /restapi/v1.0/account/~/extension/~/ring-out/{id}", EXTENSION + "/ring-out/{ringoutId}", "get", "200"),
    ("POST /restapi/v1.0/account/~/extension/~/sms", EXTENSION + "/sms", "post", "200"),
    ("GET /restapi/v1.0/account/~/extension/~/call-log", EXTENSION + "/call-log", "get", "200"),
    ("GET /restapi/v1.0/account/~/call-log", ACCOUNT + "/call-log", "get", "200"),
    ("POST /restapi/v1.0/subscription", "/restapi/v1.0/subscription", "post", "200"),
    ("GET /restapi/v1.0/subscription", "/restapi/v1.0/subscription", "get", "200"),
    ("GET /restapi/v1.0/subscription/{id}", "/restapi/v1.0/subscription/{subscriptionId}", "get", "200"),
    ("POST /restapi/v1.0/subscription/{id}/renew", "/restapi/v1.0/subscription/{subscriptionId}/renew", "post", "200"),
    ("error 400", "/restapi/v1.0/subscription", "post", "400"),
    ("error 404", "/restapi/v1.0/subscription/{subscriptionId}", "get", "404"),
]

# Schemas named directly: where the path's declared response is not what the sandbox should
# be checked against, or where the thing is not an HTTP answer at all (notification bodies).
NAMED = {
    # The message-store path declares GetSingleMessageInfoResponse, which adds a *required*
    # voicemail-only `vmSideRecipients` (minItems 1); an SMS never has it, so check the base.
    "GET /restapi/v1.0/account/~/extension/~/message-store/{id}": "GetMessageInfoResponse",
    "notification instant-sms": "InstantMessageEvent",
    "notification telephony-sessions": "ExtensionTelephonySessionsEvent",
    "error 401": "ApiErrorResponseModel",
    "error 429": "ApiErrorResponseModel",
}


# Every operation the sandbox serves, with the spec's path: its `x-app-permission` and
# `x-user-permission` go in the fixture's "permissions", which the sandbox's table must match.
PERMISSIONS = [(key, path, method) for key, path, method, status in OPERATIONS if not key.startswith("error")] + [
    ("DELETE /restapi/v1.0/account/~/extension/~/ring-out/{id}", EXTENSION + "/ring-out/{ringoutId}", "delete"),
    ("GET /restapi/v1.0/account/~/extension/~/message-store/{id}", EXTENSION + "/message-store/{messageId}", "get"),
    ("DELETE /restapi/v1.0/subscription/{id}", "/restapi/v1.0/subscription/{subscriptionId}", "delete"),
]


def load(path):
    with open(path) as handle:
        return yaml.safe_load(handle)


def main():
    spec = load(SPEC)
    components = spec["components"]

    def lookup(ref):
        node = spec
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        return node

    def resolve(schema, depth):
        if not isinstance(schema, dict):
            return schema
        if "$ref" in schema:
            if depth >= MAX_DEPTH:
                return {}  # too deep: anything goes
            return resolve(lookup(schema["$ref"]), depth + 1)
        if "allOf" in schema:
            merged = {"type": "object", "properties": {}, "required": []}
            for part in schema["allOf"]:
                part = resolve(part, depth)
                if not part:
                    return {}  # a part cut at the depth limit: leave the whole thing unconstrained
                merged["properties"].update(part.get("properties", {}))
                merged["required"] += [r for r in part.get("required", []) if r not in merged["required"]]
                if "additionalProperties" in part:
                    merged["additionalProperties"] = part["additionalProperties"]
            # Siblings of allOf count too (the spec uses both forms).
            sibling = resolve({k: v for k, v in schema.items() if k != "allOf"}, depth)
            merged["properties"].update(sibling.get("properties", {}))
            merged["required"] += [r for r in sibling.get("required", []) if r not in merged["required"]]
            if not merged["required"]:
                del merged["required"]
            return merged
        if "oneOf" in schema or "anyOf" in schema:
            return {"oneOf": [resolve(s, depth) for s in schema.get("oneOf", schema.get("anyOf"))]}
        out = {}
        if "type" in schema:
            out["type"] = schema["type"]
        if "enum" in schema:
            out["enum"] = schema["enum"]
        if "required" in schema:
            out["required"] = schema["required"]
        if "properties" in schema:
            out["properties"] = {k: resolve(v, depth) for k, v in schema["properties"].items()}
            out.setdefault("type", "object")
        if "items" in schema:
            out["items"] = resolve(schema["items"], depth)
            out.setdefault("type", "array")
        if "additionalProperties" in schema:
            extra = schema["additionalProperties"]
            out["additionalProperties"] = resolve(extra, depth) if isinstance(extra, dict) else extra
        return out

    def response_schema(path, method, status):
        response = spec["paths"][path][method]["responses"][status]
        if "$ref" in response:
            response = lookup(response["$ref"])
        return response["content"]["application/json"]["schema"]

    fixture = {
        "_source": "RingCentral OpenAPI spec (%s), extracted by scripts/spec/extract-ringcentral-schemas.py" % spec["info"].get("version"),
        "schemas": {},
    }
    for key, path, method, status in OPERATIONS:
        fixture["schemas"][key] = resolve(response_schema(path, method, status), 0)
    for key, name in NAMED.items():
        fixture["schemas"][key] = resolve(components["schemas"][name], 0)
    fixture["permissions"] = {}
    for key, path, method in PERMISSIONS:
        operation = spec["paths"][path][method]
        fixture["permissions"][key] = {
            "app": operation.get("x-app-permission"),
            "user": operation.get("x-user-permission"),
        }

    with open(OUT, "w") as handle:
        json.dump(fixture, handle, indent=1, sort_keys=True)
        handle.write("\n")
    print("wrote %s (%d schemas, %d bytes)" % (OUT, len(fixture["schemas"]), os.path.getsize(OUT)))


if __name__ == "__main__":
    main()
