"""The running bot with the sandbox (as in tests/e2e), for the deal API tests over HTTP."""

from tests.e2e.conftest import runtime, sb, shop

__all__ = ["runtime", "sb", "shop"]
