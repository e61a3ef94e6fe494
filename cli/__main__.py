"""`python -m cli`: the `crtkg` command, for a checkout without the installed script."""

import sys

from cli import main

sys.exit(main())
