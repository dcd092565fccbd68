"""Allow ``python -m pqm_tui``."""

from pqm_tui.cli import main

raise SystemExit(main())
