import json

import pytest

from unspin.errors import FormatError, UsageError
from unspin.model import CORE_LAYERS, SCHEMA, Analysis, Article, Diagnostic, Span


def _analysis() -> Analysis:
    text = "\ufeffPutin said “no”.\r\nIt costs $5 😀 now\u200b."
    art = Article(text=text, id="a1", source="x/a1.txt", title="T", meta={"outlet": "Daily", "date": "2024-01-02"})
    an = Analysis(art, language="en")
    an.add("sentences", [Span(1, 17, "sentence"), Span(19, len(text), "sentence")])
    an.add("entities", [Span(1, 6, "PERSON", attrs={"canonical": "Vladimir Putin"})])
    an.add("quantities", [Span(28, 30, "money", 0.9, {"value": 5, "unit": "USD", "approximate": False})])
    an.add("techniques", [Span(12, 16, "Loaded_Language", 0.61, {"category": "manipulative_wording"}),
                          Span(12, 16, "Doubt", 0.4)])
    an.add("custom_layer", [Span(0, 1, "bom")])
    an.labels["genre"] = {"label": "reporting", "scores": {"reporting": 0.8}}
    an.diagnose("warning", "W999", "just testing")
    return an


def test_model_json_roundtrip_keeps_every_layer():
    an = _analysis()
    doc = json.loads(an.dumps())
    back = Analysis.from_json(doc)
    assert back.to_json() == an.to_json()
    assert back.layers["custom_layer"][0].label == "bom"
    assert back.layers["techniques"][1].label == "Doubt"


def test_model_json_has_the_contract_shape():
    doc = _analysis().to_json()
    for key in ("schema", "id", "source", "title", "text", "meta", "language", "layers", "labels", "diagnostics"):
        assert key in doc
    assert doc["schema"] == SCHEMA
    assert list(doc["layers"])[: len(CORE_LAYERS)] == list(CORE_LAYERS)
    ent = doc["layers"]["entities"][0]
    assert set(ent) >= {"start", "end", "label", "canonical"}
    assert doc["text"][ent["start"]:ent["end"]] == "Putin"


def test_model_empty_layers_present():
    doc = Analysis(Article("Hello there.")).to_json()
    assert all(doc["layers"][k] == [] for k in CORE_LAYERS)
    assert doc["id"].startswith("sha1-")


@pytest.mark.parametrize("start,end", [(-1, 3), (3, 3), (5, 2)])
def test_model_span_rejects_bad_offsets(start, end):
    with pytest.raises(UsageError, match="start < end"):
        Span(start, end)


def test_model_span_attr_cannot_shadow_field():
    with pytest.raises(UsageError, match="clashes"):
        Span(0, 1, attrs={"start": 3})


def test_model_article_rejects_bytes_with_hint():
    with pytest.raises(UsageError, match="decode bytes first"):
        Article(b"bytes")  # type: ignore[arg-type]


def test_model_diagnostic_level_checked():
    with pytest.raises(UsageError):
        Diagnostic("fatal", "X", "y")


@pytest.mark.parametrize("doc,match", [
    ("not json", "not a JSON document"),
    ("[1, 2]", "JSON object"),
    ('{"schema": "unspin/0", "text": "x"}', "expected schema"),
    ('{"schema": "unspin/1"}', "needs the article"),
    ('{"schema": "unspin/1", "text": "abc", "layers": {"entities": [{"start": "x"}]}}', "integer"),
])
def test_model_from_json_errors_say_what_is_wrong(doc, match):
    with pytest.raises(FormatError, match=match):
        Analysis.from_json(doc)


def test_model_check_offsets_reports_spans_outside_text():
    an = Analysis(Article("short"))
    an.add("entities", [Span(2, 9, "X")])
    assert "outside text" in an.check_offsets()[0]
