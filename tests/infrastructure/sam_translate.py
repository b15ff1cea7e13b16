"""Writes template.yaml as CloudFormation JSON after the SAM transform, offline.

Runs under the SAM CLI's own interpreter (.venv-sam/bin/python): aws-sam-translator's pins clash with the project's,
so the tests call this script instead of importing the translator. The roles, policies and event source mappings that
SAM generates only exist in this output. Local CodeUri/ContentUri are replaced by S3 URIs, as `sam validate` does.
"""

import json
import sys
from pathlib import Path

import boto3
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from samtranslator.yaml_helper import yaml_parse


def main(path: str, out: str) -> None:
    template = yaml_parse(Path(path).read_text(encoding="utf-8"))
    for resource in template.get("Resources", {}).values():
        properties = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(key), str):
                properties[key] = f"s3://translate-only/{properties[key]}"
    translator = Translator(
        managed_policy_map=None,
        sam_parser=Parser(),
        plugins=[],
        boto_session=boto3.Session(region_name="us-east-1"),
    )
    translated = translator.translate(sam_template=template, parameter_values={}, get_managed_policy_map=lambda: {})
    Path(out).write_text(json.dumps(translated, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
