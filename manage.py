#!/usr/bin/env python
"""Django's manage.py; `keel` is the same with friendlier names."""

import sys

from keel.config.cli import main

if __name__ == "__main__":
    main(sys.argv)
