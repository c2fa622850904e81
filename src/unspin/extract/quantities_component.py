"""The ``unspin_quantities`` spaCy component: layer ``quantities`` from :func:`find_quantities`.

Relative dates ("last year") resolve against the article's date when the engine
passes it in ``doc.user_data["unspin_meta"]`` (its ``date``), else against the
latest explicit year earlier in the text.
"""
from spacy.language import Language
from spacy.tokens import Doc

from .layers import doc_text, get_layer, set_layer
from .quantities import find_quantities

META_KEY = "unspin_meta"


@Language.component("unspin_quantities")
def add_quantities(doc: Doc) -> Doc:
    meta = doc.user_data.get(META_KEY) or {}
    date = meta.get("date") if isinstance(meta, dict) else None
    sentences = get_layer(doc, "sentences") or [(s.start_char, s.end_char) for s in doc.sents]
    set_layer(doc, "quantities", find_quantities(doc_text(doc), sentences=sentences, doc_date=date))
    return doc
