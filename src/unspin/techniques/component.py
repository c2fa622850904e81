"""The ``unspin_techniques`` spaCy component: layer ``techniques`` from the shipped model.

Each span: ``label`` (native technique), ``score`` (calibrated probability that
the span really is that technique), attributes ``category``, ``definition``
and ``raw_score``. Overlapping spans with different techniques are normal.
"""

from spacy.language import Language
from spacy.tokens import Doc

from ..extract.layers import doc_text, set_layer
from .model import DEFAULT_MODEL_DIR, shared_model


class TechniqueTagger:
    def __init__(self, model_dir: str = str(DEFAULT_MODEL_DIR)):
        self.model_dir = model_dir
        self._model = None  # loaded on first use, so adding the component costs nothing

    def __call__(self, doc: Doc) -> Doc:
        if self._model is None:
            self._model = shared_model(self.model_dir)
        # a name-blind model reads the Doc's own entities when a NER has run on it; else it runs spaCy's
        entities = None
        if self._model.mask_words and doc.has_annotation("ENT_IOB"):
            entities = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        set_layer(doc, "techniques", self._model.predict(doc_text(doc), entities))
        return doc


@Language.factory("unspin_techniques", default_config={"model_dir": str(DEFAULT_MODEL_DIR)})
def make_technique_tagger(nlp: Language, name: str, model_dir: str) -> TechniqueTagger:
    return TechniqueTagger(model_dir)
