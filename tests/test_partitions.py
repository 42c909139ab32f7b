"""partitions.py holds the regions botocore knows, partition by partition, and nothing else."""

from __future__ import annotations

import json
import re
from pathlib import Path

import botocore
import pytest
from botocore.loaders import Loader
from sst_deployer.partitions import PARTITIONS, REGIONS, partition_of

ENDPOINTS = {p["partition"]: p for p in Loader().load_data("endpoints")["partitions"]}
ANNOUNCED = {
    p["id"]: p for p in json.loads((Path(botocore.__file__).parent / "data" / "partitions.json").read_text())[
        "partitions"]
}


@pytest.mark.parametrize("partition", PARTITIONS)
def test_regions_are_botocores(partition: str) -> None:
    ours, theirs = set(REGIONS[partition]), set(ENDPOINTS[partition]["regions"])
    assert ours == theirs, (
        f"botocore {botocore.__version__} differs for {partition}: missing here {sorted(theirs - ours)}, "
        f"unknown to botocore {sorted(ours - theirs)}; update partitions.py and its botocore version"
    )


def test_regions_are_sorted_and_unique() -> None:
    for regions in REGIONS.values():
        assert list(regions) == sorted(set(regions))


@pytest.mark.parametrize("partition", PARTITIONS)
def test_every_region_matches_its_partitions_region_pattern(partition: str) -> None:
    pattern = re.compile(ENDPOINTS[partition]["regionRegex"])
    assert all(pattern.match(r) for r in REGIONS[partition])
    assert all(partition_of(r) == partition for r in REGIONS[partition])


def test_regions_announced_without_endpoints_are_not_offered_yet() -> None:
    """botocore's partitions.json also names pseudo-regions (aws-global) and regions
    announced before they have endpoints; neither can host an SST app today."""
    for partition in PARTITIONS:
        extra = set(ANNOUNCED[partition]["regions"]) - set(REGIONS[partition])
        assert all(r.endswith("-global") or r not in ENDPOINTS[partition]["regions"] for r in extra)
        assert set(REGIONS[partition]) <= set(ANNOUNCED[partition]["regions"])


def test_the_isolated_partitions_are_left_out() -> None:
    assert set(ENDPOINTS) - set(PARTITIONS) == {p for p in ENDPOINTS if p.startswith(("aws-iso", "aws-eusc"))}
