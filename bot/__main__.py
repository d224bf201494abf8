"""`python -m bot` is the same as `roi-bot`."""

import sys

from bot.cli import main

sys.exit(main())
