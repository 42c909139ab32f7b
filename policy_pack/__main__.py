"""The sst-deployer policy pack: `pulumi preview --policy-pack policy_pack`."""

from sst_deployer.policies.pack import serve

serve()
