"""The component provider: what ``pulumi package add`` and a consumer's engine start.

``python <repository> <engine address>`` (the Python language host running the plugin's
``__main__.py``) or ``python -m sst_deployer_component.provider <engine address>`` serves
``DeployerRole`` over Pulumi's provider gRPC protocol (``GetSchema``, ``Construct``), its
schema inferred from the type annotations by the SDK's analyzer.
"""

from pulumi.provider.experimental import component_provider_host

from .about import PULUMI_PACKAGE, __version__
from .deployer_role import DeployerRole


def serve() -> None:
    """Serve the provider until the engine stops it (prints the port on stdout first)."""
    component_provider_host([DeployerRole], name=PULUMI_PACKAGE, version=__version__)


if __name__ == "__main__":
    serve()
