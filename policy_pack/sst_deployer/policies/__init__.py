"""The pulumi-policy layer: the pack's policies over sst_deployer's pure checks."""
