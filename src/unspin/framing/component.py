"""The ``unspin_framing`` spaCy component: ``labels.genre`` and ``labels.frames``.

Reads the sentence embeddings ``unspin_claims`` left on the doc (else runs the
sentence model itself), builds the article vector for the frames head and the genre
vector (style plus what the other layers found: techniques, quotes, statements,
quantities, entities, claims) for the genre head, so it runs last. A layer that is
absent (its stage disabled or failed) counts as the training average and is named in
``labels.genre.missing_layers``.
"""
import numpy as np
from spacy.language import Language
from spacy.tokens import Doc

from ..claims.model import DEFAULT_MODEL_DIR as ENCODER_DIR
from ..claims.model import shared_model
from ..errors import ModelError
from ..extract.claims import EMBEDDINGS_KEY, candidate_sentences
from ..extract.layers import doc_text, get_layer, get_layers, set_label
from .features import article_vector, genre_vector
from .heads import DEFAULT_MODEL_DIR, shared_heads


def sentence_outputs(doc: Doc, encoder_dir: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Texts, claim logits and embeddings of the article's candidate sentences."""
    text = doc_text(doc)
    sentences = get_layer(doc, "sentences")
    cached = doc.user_data.get(EMBEDDINGS_KEY)
    if cached is not None:
        keep, logits, emb = cached
    else:
        keep = candidate_sentences(text, sentences)
        out = shared_model(encoder_dir).run([text[sentences[i].start:sentences[i].end] for i in keep])
        logits, emb = out.logits, out.embeddings
    return [text[sentences[i].start:sentences[i].end] for i in keep], logits, emb


class FramingClassifier:
    def __init__(self, model_dir: str = str(DEFAULT_MODEL_DIR), encoder_dir: str = str(ENCODER_DIR)):
        self.model_dir, self.encoder_dir = model_dir, encoder_dir
        self._heads = None

    def __call__(self, doc: Doc) -> Doc:
        if self._heads is None:
            heads = shared_heads(self.model_dir)
            fitted_on = heads.heads.get("encoder_id")
            current = shared_model(self.encoder_dir).config.get("model_id")
            if fitted_on and current and fitted_on != current:
                raise ModelError(f"the genre/framing heads in {self.model_dir} were fit on sentence model {fitted_on}, "
                                 f"but {self.encoder_dir} holds {current}; rebuild them with 'unspin train framing'")
            self._heads = heads
        texts, logits, emb = sentence_outputs(doc, self.encoder_dir)
        x = article_vector(texts, logits, emb)
        if self._heads.genre_inputs == "genre_vector":
            g, missing = genre_vector(texts, logits, doc_text(doc), get_layers(doc))
            set_label(doc, "genre", self._heads.genre(g, missing))
        else:
            set_label(doc, "genre", self._heads.genre(x))
        set_label(doc, "frames", self._heads.frames(x))
        return doc


@Language.factory("unspin_framing", default_config={"model_dir": str(DEFAULT_MODEL_DIR),
                                                    "encoder_dir": str(ENCODER_DIR)})
def make_framing_classifier(nlp: Language, name: str, model_dir: str, encoder_dir: str) -> FramingClassifier:
    """Labels ``genre`` and ``frames`` (after the other stages: it reuses the sentence embeddings of
    ``unspin_claims`` and reads the layers for the genre)."""
    return FramingClassifier(model_dir, encoder_dir)
