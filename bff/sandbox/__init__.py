"""The Magento sandbox: an in-memory stand-in for Magento 2.4's storefront GraphQL API.

It speaks Magento's wire format (type, field, argument, header and error names) and behaves like
Magento where a storefront notices (see ``../shared/magento/FACTS.md``). It is not part of the BFF
and imports nothing from the rest of ``bff``: the BFF reaches it only over HTTP or ASGI.
"""

from bff.sandbox.app import create_sandbox_app
from bff.sandbox.clock import FakeClock, SandboxClock, SystemClock
from bff.sandbox.faults import Fault, FaultPlan
from bff.sandbox.state import SandboxConfig, SandboxState

__all__ = [
    "FakeClock",
    "Fault",
    "FaultPlan",
    "SandboxClock",
    "SandboxConfig",
    "SandboxState",
    "SystemClock",
    "create_sandbox_app",
]
