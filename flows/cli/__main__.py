"""``python -m flows.cli``: the same command as the ``claimwatch`` console script."""

from flows.cli import main

raise SystemExit(main())
