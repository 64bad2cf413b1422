"""``${secret:NAME}`` in claimwatch's config, read from Prefect Secret blocks.

Create one in the Prefect UI (Blocks -> Secret) or in Python,
``Secret(value="...").save("smtp-password")``; then write ``password: ${secret:smtp-password}``.
"""

from __future__ import annotations


def prefect_secret(name: str) -> str:
    """The value of the Prefect Secret block ``name``; LookupError (naming it) when missing."""
    from prefect.blocks.system import Secret  # only when a config asks for a secret

    try:
        # _sync: always the blocking call, even if a caller one day runs inside an event loop.
        block: Secret[str] = Secret.load(name, _sync=True)  # type: ignore[call-arg,assignment]
    except ValueError as exc:  # Prefect: "Unable to find block document named ..."
        raise LookupError(
            f"no Prefect Secret block named '{name}' on this Prefect server; create it "
            f"(UI: Blocks -> Secret, or Secret(value=...).save('{name}')) or fix the name"
        ) from exc
    return str(block.get())
