"""FLAT: flow-aligned training of unrolled MRI reconstruction networks (single-coil, Cartesian)."""

__version__ = "0.1.0"
