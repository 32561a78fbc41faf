"""Sentence vectors for meaning-based search (placeholder until the packaged model is wired)."""

from __future__ import annotations

import numpy as np

DIM = 384


def available() -> bool:
    return False


def embed(texts: list[str]) -> np.ndarray:  # pragma: no cover - placeholder
    raise RuntimeError("No sentence model")


def store_record_vectors(records: list) -> None:  # pragma: no cover - placeholder
    return None


def model_name() -> str:
    return ""
