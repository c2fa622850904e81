"""Check-worthy claims: the shared sentence encoder (:mod:`.model`) and the ``claims`` layer
(:mod:`unspin.extract.claims`). Importing this package loads no model."""
