"""Conveyor's Rucio policy package: Belle II's file naming, where a file's path at an RSE is the
RSE's prefix followed by its LFN (/belle/Raw/... -> PREFIX/belle/Raw/...), the same layout
Conveyor's own endpoints use. Rucio's built-in `identity` algorithm would put the scope in front
(PREFIX/belle//belle/Raw/...), and the copies Conveyor registers would not be where Rucio looks.

scripts/rucio puts this folder on PYTHONPATH and names the package in rucio.cfg ([policy] package);
schema and permissions fall back to Rucio's generic ones.
"""

SUPPORTED_VERSION = [">=41.0"]


def lfn2pfn_conveyor(scope, name, rse, rse_attrs, protocol_attrs):
    del scope, rse, rse_attrs, protocol_attrs
    return name.lstrip("/")


def get_algorithms():
    return {"lfn2pfn": {"conveyor": lfn2pfn_conveyor}}
