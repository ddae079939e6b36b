"""schemathesis checks of our own, loaded by scripts/api-fuzz (SCHEMATHESIS_HOOKS=api_fuzz_hooks)."""
import os

import schemathesis

RANKS = {"viewer": 0, "expert": 1, "manager": 2, "admin": 3}


@schemathesis.check
def viewer_writes_are_refused(ctx, response, case):
    """A token whose role is below an operation's x-required-role is refused with 401 or 403."""
    role = os.environ.get("CONVEYOR_FUZZ_ROLE", "admin")
    required = case.operation.definition.raw.get("x-required-role")
    if required is None or RANKS.get(role, 3) >= RANKS.get(required, 0):
        return None
    if case.method.upper() != case.operation.method.upper():
        return None  # another method on the path (TRACE, …): unsupported_method's business
    if response.status_code not in (401, 403):
        raise AssertionError(
            f"a {role} token reached {case.method} {case.path} (needs {required}): answered {response.status_code}, not 401/403"
        )
    return None
