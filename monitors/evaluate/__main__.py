"""``python -m monitors.evaluate``: score the stance engine on labelled pairs (see ``harness``)."""

from monitors.evaluate.harness import main

raise SystemExit(main())
