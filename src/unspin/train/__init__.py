"""Training support: reading the labelled corpora (:mod:`.corpora`); no model code yet."""
