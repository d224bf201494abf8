"""`python -m bot` is the same as `roi-bot`."""

import sys

from bot.wiring.cli import main

sys.exit(main())
