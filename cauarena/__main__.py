"""``python -m cauarena`` runs the CLI."""

import sys

from cauarena.cli import main

sys.exit(main())
