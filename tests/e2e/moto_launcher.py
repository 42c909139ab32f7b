"""moto in server mode with the few bridges SST's path needs, each covering one moto gap.

Run as ``python tests/e2e/moto_launcher.py -H 127.0.0.1 -p <port>``: the bridges are
applied in this process, then moto's own ``moto.server.main`` serves as
``python -m moto.server`` does. Every bridge changes only what moto 5.2 gets wrong or
cannot do offline, and says which gap it covers; none of them touches authorisation
(the recording proxy in front of this server judges every call).
"""

from __future__ import annotations

import sys
from typing import Any


def bridge_change_set_outputs() -> None:
    """Gap: after ``ExecuteChangeSet`` moto sets the stack's new template text but keeps
    the parsed template and the Outputs of before the change set (only ``Stack.update``
    rebuilds them), so ``cdk bootstrap``'s CDKToolkit stack has no ``BootstrapVersion`` /
    ``BucketName`` outputs and SST stops with "Failed to load bootstrap stack status".
    Rebuild that stack's outputs and exports from its new template, as AWS shows them."""
    from moto.cloudformation.models import CloudFormationBackend

    original = CloudFormationBackend.execute_change_set

    def execute_change_set(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = self.change_sets.get(change_set_name) or next(
            (cs for cs in self.change_sets.values() if cs.change_set_name == change_set_name), None)
        original(self, change_set_name, stack_name)
        if change_set is None:
            return
        stack = self.stacks[change_set.stack_id]
        stack._parse_template()
        stack.output_map = stack._create_output_map()
        for export in stack.exports:
            self.exports[export.name] = export

    CloudFormationBackend.execute_change_set = execute_change_set  # type: ignore[method-assign]


def bridge_custom_resources() -> None:
    """Gap: moto runs a ``Custom::*`` resource's provider Lambda in Docker and waits for its
    response; without Docker (CI, this machine) the resource never finishes and neither does
    the stack. SST's stacks carry such resources (e.g. ``Custom::SourcemapUploader``,
    ``Custom::S3AutoDeleteObjects``). Mark them created at once, with no attributes: what
    they do happens inside AWS and calls nothing with the deployer's credentials."""
    from moto.cloudformation import custom_model
    from moto.cloudformation.models import cloudformation_backends

    def create(
        cls: Any, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
    ) -> Any:
        resource = cls(region_name, "e2e-bridge", kwargs["LogicalId"], resource_name)
        resource.set_data({})
        stack = cloudformation_backends[account_id][region_name].get_stack(kwargs["StackId"])
        stack.add_custom_resource(resource)
        return resource

    custom_model.CustomModel.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign,assignment]


def bridge_ssm_parameter_tags() -> None:
    """Gap: ``AWS::SSM::Parameter`` takes ``Tags`` as a map in CloudFormation (as CDK
    renders the CDK bootstrap version parameter's and SST's Config parameters' tags), but
    moto hands the map to ``put_parameter``, which expects the API's list of Key/Value
    pairs, and answers 500. Convert the map to that list."""
    from moto.ssm.models import Parameter

    original = Parameter.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create(cls: Any, resource_name: str, cloudformation_json: Any, *args: Any, **kwargs: Any) -> Any:
        tags = cloudformation_json.get("Properties", {}).get("Tags")
        if isinstance(tags, dict):
            cloudformation_json = {
                **cloudformation_json,
                "Properties": {
                    **cloudformation_json["Properties"],
                    "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
                },
            }
        return original(cls, resource_name, cloudformation_json, *args, **kwargs)

    Parameter.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign,assignment]


def bridge_ssm_parameter_attributes() -> None:
    """Gap: moto's ``AWS::SSM::Parameter`` has no ``Fn::GetAtt`` attributes (no
    ``get_cfn_attribute``), so an output ``!GetAtt Param.Value`` fails and the stack shows
    no Outputs at all. The CDK bootstrap template before CLI 2.1000 reads its
    ``BootstrapVersion`` output so (SST 2.48 and earlier use it), and SST then stops
    with "Failed to load bootstrap stack status". Answer ``Value`` and ``Type`` as AWS does."""
    from moto.ssm.models import Parameter

    def get_cfn_attribute(self: Any, attribute_name: str) -> Any:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name == "Value":
            return self.value
        if attribute_name == "Type":
            return self.type
        raise UnformattedGetAttTemplateException()

    Parameter.has_cfn_attr = classmethod(lambda cls, attr: attr in ("Value", "Type"))  # type: ignore[method-assign,assignment]
    Parameter.get_cfn_attribute = get_cfn_attribute  # type: ignore[attr-defined]


def bridge_template_url_on_an_ip_endpoint() -> None:
    """Gap: moto reads a ``TemplateURL`` path-style only when its host is ``localhost`` or
    ``s3...amazonaws.com``; any other host is taken as ``<bucket>.<domain>``. The CDK
    toolkit of SST 2.48 builds the URL from ``AWS_ENDPOINT_URL`` (``http://127.0.0.1:<port>/
    <bucket>/<key>``), so moto looks for bucket ``127`` and CreateStack answers 404. Read
    such URLs path-style, as S3 serves them on an IP endpoint."""
    import ipaddress
    from urllib.parse import urlparse

    from moto.cloudformation import responses, utils

    original = utils.get_stack_from_s3_url

    def get_stack_from_s3_url(template_url: str, account_id: str, partition: str) -> str:
        host = urlparse(template_url).hostname or ""
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return original(template_url, account_id, partition)
        return original(f"http://localhost{urlparse(template_url).path}", account_id, partition)

    utils.get_stack_from_s3_url = get_stack_from_s3_url
    responses.get_stack_from_s3_url = get_stack_from_s3_url


def bridge_lambda_function_tags() -> None:
    """Gap: moto builds an ``AWS::Lambda::Function`` from a template without its ``Tags``
    property (``LambdaFunction.create_from_cloudformation_json`` copies only a few
    properties), where AWS tags the function with them; CDK renders SST's ``sst:app`` /
    ``sst:stage`` tags there. Without them ``aws:ResourceTag/sst:app`` is absent and the
    deployer's tag-conditioned restart of the app's functions could not be judged."""
    from moto.awslambda.models import LambdaFunction

    original = LambdaFunction.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create(cls: Any, resource_name: str, cloudformation_json: Any, *args: Any, **kwargs: Any) -> Any:
        function = original(cls, resource_name, cloudformation_json, *args, **kwargs)
        tags = cloudformation_json.get("Properties", {}).get("Tags") or []
        function.tags.update({t["Key"]: t["Value"] for t in tags if isinstance(t, dict) and "Key" in t})
        return function

    LambdaFunction.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign,assignment]


BRIDGES = (
    bridge_change_set_outputs,
    bridge_custom_resources,
    bridge_ssm_parameter_tags,
    bridge_ssm_parameter_attributes,
    bridge_template_url_on_an_ip_endpoint,
    bridge_lambda_function_tags,
)


def main(argv: list[str]) -> None:
    for bridge in BRIDGES:
        bridge()
    from moto.server import main as serve

    serve(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
