"""The baseline: a pack with one stack policy that does nothing."""

from pulumi_policy import EnforcementLevel, PolicyPack, StackValidationPolicy

PolicyPack(
    name="do-nothing",
    policies=[StackValidationPolicy(name="do-nothing", description="Does nothing.",
                                    validate=lambda args, report: None)],
    enforcement_level=EnforcementLevel.MANDATORY,
)
