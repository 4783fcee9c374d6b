"""The import path of Ryax's older documentation: `from ryax_wrapper import RyaxSourceProtocol`."""

from ryax_execution.ryax_source_protocol import RyaxRunStatus, RyaxSourceProtocol

__all__ = ["RyaxRunStatus", "RyaxSourceProtocol"]
