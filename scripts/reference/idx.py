"""The IDX files MNIST and Fashion-MNIST ship as (gzip), read with NumPy: one reader for the reference
scripts and the fixture scripts beside the tests."""
import gzip

import numpy as np


def read_idx(path):
    """An IDX file of unsigned bytes (magic 0x0000080D, D = number of dimensions)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    assert data[:3] == b"\x00\x00\x08", f"{path}: not an unsigned-byte IDX file"
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)
