"""Genre (opinion / reporting / satire) and framing (14 frames) per article: small linear
heads over the sentence embeddings of the shared sentence model. Importing loads no model."""
