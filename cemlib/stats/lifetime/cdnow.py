"""The CDNOW transaction log of Fader & Hardie, used to check the lifetime models against the
published estimates (Fader, Hardie & Lee 2005a, §4) and bundled as the ``cdnow`` source.

The sample file ships inside the ``lifetimes`` wheel; :func:`cdnow_sample_path` finds it without
importing that package (which fails on current setuptools/pandas) and :func:`read_cdnow` reads it.

References
----------
Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005a). "Counting your customers" the easy way: an
alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275–284.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

__all__ = ["cdnow_sample_path", "read_cdnow"]


def cdnow_sample_path() -> Path:
    """Path of ``lifetimes/datasets/CDNOW_sample.txt`` in the installed ``lifetimes`` wheel.

    The package is located with :func:`importlib.util.find_spec` and never imported (importing
    ``lifetimes`` fails on current setuptools/pandas).

    Raises
    ------
    FileNotFoundError
        When ``lifetimes`` is not installed or the file is not in it.
    """
    try:
        spec = importlib.util.find_spec("lifetimes")
    except (ImportError, ValueError):
        spec = None
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for loc in locations:
        path = Path(loc) / "datasets" / "CDNOW_sample.txt"
        if path.is_file():
            return path
    raise FileNotFoundError(
        "CDNOW_sample.txt not found: it ships inside the 'lifetimes' wheel "
        "(pip install lifetimes==0.11.3); searched "
        + (", ".join(str(Path(p) / "datasets") for p in locations) or "no lifetimes installation")
    )


def read_cdnow(path: str | Path | None = None) -> pd.DataFrame:
    """Read the CDNOW transaction log (Fader & Hardie's sample or master file).

    The file is whitespace separated: customer id, (in the sample) the customer's sequence
    number, date ``YYYYMMDD``, number of CDs, dollar value.

    Returns
    -------
    DataFrame
        Columns ``customer_id`` (the id as written, zero-padded string), ``ts`` (date),
        ``quantity`` (int) and ``amount`` (float), in file order.
    """
    path = cdnow_sample_path() if path is None else Path(path)
    raw = pd.read_csv(path, sep=r"\s+", header=None, dtype=str, engine="c")
    if raw.shape[1] == 5:
        raw = raw.drop(columns=1)
    elif raw.shape[1] != 4:
        raise ValueError(f"read_cdnow: {path} has {raw.shape[1]} columns, expected 4 or 5")
    raw.columns = ["customer_id", "ts", "quantity", "amount"]
    return pd.DataFrame(
        {
            "customer_id": raw["customer_id"].astype(str),
            "ts": pd.to_datetime(raw["ts"], format="%Y%m%d"),
            "quantity": raw["quantity"].astype("int64"),
            "amount": raw["amount"].astype("float64"),
        }
    )
