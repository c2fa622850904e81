"""The scorecard on hand-built analyses, and its place in the text, HTML and JSON outputs."""
import json
import re

import pytest

from unspin.model import Analysis, Article, Span
from unspin.report.scorecard import scorecard, scorecard_lines

TEXT = ("Unemployment rose by 5 percent. Taxes went up, Smith said. It may rain. "
        "Crime fell by half. Vote for us.")


def _analysis(with_claims=True):
    s = [(m.start(), m.end()) for m in re.finditer(r"[^ .][^.]*\.", TEXT)]
    assert [TEXT[a:b] for a, b in s][-1] == "Vote for us."
    an = Analysis(Article(TEXT, id="t"))
    an.layers["sentences"] = [Span(a, b, "sentence") for a, b in s]
    an.layers["statements"] = [Span(a, b, lab) for (a, b), lab in
                               zip(s, ["asserted", "attributed", "hedged", "asserted", "asserted"])]
    q1, q2 = TEXT.index("5 percent"), TEXT.index("half")
    an.layers["quantities"] = [Span(q1, q1 + 9, "percent"), Span(q2, q2 + 4, "fraction")]
    an.layers["techniques"] = [Span(s[-1][0], s[-1][1], "Slogans", 0.7, {"category": "call"}),
                               Span(0, 12, "Loaded_Language", 0.6, {"category": "manipulative_wording"})]
    if with_claims:
        probs = [0.9, 0.8, 0.2, 0.7, 0.1]
        an.layers["claims"] = [
            Span(a, b, "checkworthy" if p >= 0.5 else "not_checkworthy", p,
                 {"checkworthiness": p, "checkworthy": p >= 0.5, "rank": r, "statement": st.label,
                  "source": "Smith" if st.label == "attributed" else None,
                  "quantity_ids": [k for k, q in enumerate(an.layers["quantities"]) if a <= q.start < b]})
            for (a, b), p, r, st in zip(s, probs, [1, 2, 4, 3, 5], an.layers["statements"])]
    an.labels["genre"] = {"label": "opinion", "scores": {"opinion": 0.7, "reporting": 0.2, "satire": 0.1}}
    an.labels["frames"] = [{"label": "Economic", "score": 0.8}, {"label": "Crime_and_punishment", "score": 0.5}]
    return an


def test_scorecard_numbers():
    card = scorecard(_analysis())
    assert card["words"] == 20 and card["sentences"] == 5
    assert card["genre"] == {"label": "opinion", "score": 0.7}
    assert card["frames"] == ["Economic", "Crime_and_punishment"]
    assert card["technique_density"]["total"] == pytest.approx(1000 * 2 / 20, abs=0.01)
    assert set(card["technique_density"]["by_category"]) == {"call", "manipulative_wording"}
    assert card["statements"] == {"attributed": 0.2, "hedged": 0.2, "unsupported_claims": 0.4}
    assert card["checkworthy_claims"] == 3
    assert [c["claim_id"] for c in card["top_claims"]] == [0, 1, 3]
    assert card["top_claims"][0]["quantity_ids"] == [0] and card["top_claims"][1]["source"] == "Smith"
    json.dumps(card)  # JSON-ready


def test_scorecard_without_claims_says_not_analysed():
    an = _analysis(with_claims=False)
    card = scorecard(an)
    assert card["checkworthy_claims"] is None and card["statements"]["unsupported_claims"] is None
    assert any("not analysed" in line for line in scorecard_lines(an, card))


def test_scorecard_lines_list_top_claims_with_numbers_and_sources():
    an = _analysis()
    lines = scorecard_lines(an, scorecard(an))
    claims = [ln for ln in lines if ln.lstrip()[:2] in ("1.", "2.", "3.")]
    assert "Unemployment rose" in claims[0] and "numbers: 5 percent" in claims[0]
    assert "source: Smith" in claims[1] and "no source (asserted)" in claims[2]
    assert lines[0] == "genre: opinion (0.70)"


def test_scorecard_in_text_html_and_json():
    from unspin.report.html import html_article
    from unspin.report.text import render_text

    an = _analysis()
    an.labels["scorecard"] = scorecard(an)
    text = render_text(an)
    assert text.index("Scorecard") < text.index("Entities") and "scorecard:" not in text
    listed = text[text.index("Claims ("):].splitlines()[1:4]
    assert "Unemployment" in listed[0] and "Taxes" in listed[1] and "Crime" in listed[2]
    html = html_article(an)
    assert "<h2>Scorecard</h2>" in html and "numbers: 5 percent" in html
    marked = re.findall(r'<span class="([^"]*)" title="[^"]*">([^<]*)</span>', html)
    claimed = "".join(piece for classes, piece in marked if "claims" in classes.split())
    assert "Crime fell" in claimed and "It may rain" not in claimed  # only check-worthy claims are marked
    back = Analysis.from_json(json.loads(an.dumps()))
    assert back.labels["scorecard"] == json.loads(json.dumps(an.labels["scorecard"]))


def test_scorecard_from_the_engine(engine, sample_text):
    from unspin.pipeline import MODEL_COMPONENTS

    an = engine.analyze(sample_text)
    card = an.labels["scorecard"]
    assert card["sentences"] == len(an.layer("sentences")) and card["words"] > 200
    for name in engine.missing:  # a missing model is reported, never fatal
        assert any(d.code == "W301" and f"unspin train {MODEL_COMPONENTS[name]}" in d.message for d in an.diagnostics)
    if "unspin_claims" not in engine.missing:
        claims = an.layer("claims")
        assert claims and sorted(c.attrs["rank"] for c in claims) == list(range(1, len(claims) + 1))
    if "unspin_framing" not in engine.missing:
        assert an.labels["genre"]["label"] in ("opinion", "reporting", "satire")
