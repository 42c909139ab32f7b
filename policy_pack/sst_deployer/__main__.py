"""``python -m sst_deployer render ...``: the same command as the ``sst-deployer`` script."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m sst_deployer"))
