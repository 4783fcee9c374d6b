"""Ryax's `ryax_execution` package as Trellis provides it, so Ryax triggers import it unchanged.

Only the names Ryax actions use are here: `ryax_execution.ryax_source_protocol` with
`RyaxSourceProtocol` and `RyaxRunStatus`. The service a trigger receives is built by
trellis_runtime.py.
"""
