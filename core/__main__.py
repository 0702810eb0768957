"""``python -m core`` runs the ``igov`` command line."""

import sys

from core.cli import main

sys.exit(main())
