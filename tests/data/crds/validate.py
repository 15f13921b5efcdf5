"""Validates Kubernetes documents against a CustomResourceDefinition's schema.

usage: validate.py CRD.yaml DOCUMENTS.yaml

Every document of DOCUMENTS.yaml whose apiVersion and kind the CRD defines is checked
against the openAPIV3Schema of that version (JSON Schema, as the API server applies it:
unknown fields are errors, as the server's pruning would drop them silently), and its
metadata.name must be a DNS-1123 subdomain. Prints each problem and exits 1 if any.
"""
import re
import sys

import jsonschema
import yaml


def closed(schema):
    """The schema with additionalProperties false wherever properties are listed and
    nothing says otherwise (the API server prunes unknown fields; here they fail)."""
    if isinstance(schema, dict):
        out = {k: closed(v) for k, v in schema.items()}
        if "properties" in out and "additionalProperties" not in out \
                and not out.get("x-kubernetes-preserve-unknown-fields"):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [closed(v) for v in schema]
    return schema


def main(crd_path, docs_path):
    crd = yaml.safe_load(open(crd_path))
    group = crd["spec"]["group"]
    kind = crd["spec"]["names"]["kind"]
    versions = {f"{group}/{v['name']}": v["schema"]["openAPIV3Schema"] for v in crd["spec"]["versions"]}
    problems, checked = [], 0
    for doc in yaml.safe_load_all(open(docs_path)):
        if doc is None or doc.get("kind") != kind:
            continue
        api = doc.get("apiVersion")
        if api not in versions:
            problems.append(f"{kind}: apiVersion {api!r} is not one of {sorted(versions)}")
            continue
        schema = closed(versions[api])
        # metadata is the API server's ObjectMeta, not in the CRD's schema.
        schema["properties"]["metadata"] = {"type": "object"}
        for e in jsonschema.Draft7Validator(schema).iter_errors(doc):
            problems.append(f"{kind} {'/'.join(map(str, e.absolute_path))}: {e.message}")
        name = (doc.get("metadata") or {}).get("name", "")
        if not re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", name) or len(name) > 253:
            problems.append(f"{kind}: metadata.name {name!r} is not a DNS-1123 subdomain")
        checked += 1
    if checked == 0:
        problems.append(f"no {kind} document in {docs_path}")
    for p in problems:
        print(p)
    print(f"{checked} {kind} document(s) checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
