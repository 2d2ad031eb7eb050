"""Implementation of the ``infomorph`` command line (not a public import)."""
