"""AWS partitions and their regions, as data.

The region lists are botocore's (``botocore/data/endpoints.json``, the ``regions`` of
each partition, as of botocore 1.44.8): the regions that have service endpoints, which
AWS lists at https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html.
``tests/test_partitions.py`` compares them with the botocore installed with the tests.
The isolated partitions (``aws-iso*``, ``aws-eusc``) are left out: SST v2 does not run there.
"""

from __future__ import annotations

from typing import Final

REGIONS: Final[dict[str, tuple[str, ...]]] = {
    "aws": (
        "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2",
        "ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2",
        "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6",
        "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
        "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3",
        "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1",
        "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    ),
    "aws-cn": ("cn-north-1", "cn-northwest-1"),
    "aws-us-gov": ("us-gov-east-1", "us-gov-west-1"),
}
"""The partitions SST v2 runs in, each with every region it has."""

PARTITIONS: Final[tuple[str, ...]] = tuple(REGIONS)


def partition_of(region: str) -> str | None:
    """The partition a region belongs to, or None for a region no partition knows."""
    for partition, regions in REGIONS.items():
        if region in regions:
            return partition
    return None
