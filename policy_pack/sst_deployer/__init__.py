"""SST v2 deployer permissions: the catalogue, the renderer and IAM semantics.

Pure Python with no dependencies; ``sst_deployer.policies`` adds the pulumi-policy
layer. It lives in ``policy_pack/`` because ``pulumi policy publish`` uploads that
folder alone, and the Pulumi program installs it from there.
"""
