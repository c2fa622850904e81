"""The article's scorecard: a few numbers an analyst reads first.

:func:`scorecard` is a plain function of an :class:`Analysis` (so it also works
on documents read back from JSON); the engine stores its result as
``labels.scorecard`` and the text and HTML reports show it on top. Fields:

* ``words``, ``sentences``;
* ``genre`` (``{label, score}`` or None) and ``frames`` (frame names, best first);
* ``technique_density``: ``{"total": spans per 1,000 words, "by_category": {...}}``
  (techniques layer spans by their ``category`` attribute);
* ``statements``: share of sentences that are ``attributed``, ``hedged``, and
  ``unsupported_claims`` (check-worthy claims asserted in the outlet's own voice;
  None when the claims stage did not run);
* ``checkworthy_claims``: how many claims are check-worthy (None when the claims stage did not run);
* ``top_claims``: up to :data:`TOP_CLAIMS` check-worthy claims, most check-worthy
  first: ``claim_id`` (index into the ``claims`` layer), ``start``, ``end``,
  ``checkworthiness``, ``quantity_ids``, ``source`` and ``statement``.
"""
from __future__ import annotations

from collections import Counter

from ..model import Analysis
from .summary import word_count

#: how many check-worthy claims the scorecard lists
TOP_CLAIMS = 5


def _per_thousand(count: int, words: int) -> float:
    return round(1000.0 * count / words, 2) if words else 0.0


def scorecard(analysis: Analysis, top: int = TOP_CLAIMS) -> dict:
    words = word_count(analysis.text)
    sentences = analysis.layer("sentences")
    n_sent = len(sentences)
    genre = analysis.labels.get("genre")
    frames = analysis.labels.get("frames") or []
    techniques = analysis.layer("techniques")
    by_cat = Counter(s.attrs.get("category") or "other" for s in techniques)
    statements = Counter(s.label for s in analysis.layer("statements"))
    claims = analysis.layer("claims")
    stmt_of = {(s.start, s.end): s.label for s in analysis.layer("statements")}
    checkworthy = [(k, c) for k, c in enumerate(claims) if c.attrs.get("checkworthy")]
    unsupported = sum(1 for _, c in checkworthy
                      if (c.attrs.get("statement") or stmt_of.get((c.start, c.end))) == "asserted")
    best = sorted(checkworthy, key=lambda kc: (-(kc[1].attrs.get("checkworthiness") or kc[1].score or 0), kc[1].start))

    def share(n: int) -> float:
        return round(n / n_sent, 3) if n_sent else 0.0

    return {
        "words": words,
        "sentences": n_sent,
        "genre": {"label": genre["label"], "score": genre["scores"].get(genre["label"])} if genre else None,
        "frames": [f["label"] for f in frames],
        "technique_density": {
            "total": _per_thousand(len(techniques), words),
            "by_category": {cat: _per_thousand(n, words) for cat, n in sorted(by_cat.items())},
        },
        "statements": {
            "attributed": share(statements.get("attributed", 0)),
            "hedged": share(statements.get("hedged", 0)),
            "unsupported_claims": share(unsupported) if claims else None,
        },
        "checkworthy_claims": len(checkworthy) if claims else None,
        "top_claims": [
            {"claim_id": k, "start": c.start, "end": c.end,
             "checkworthiness": c.attrs.get("checkworthiness", c.score),
             "quantity_ids": list(c.attrs.get("quantity_ids", [])),
             "source": c.attrs.get("source"), "statement": c.attrs.get("statement")}
            for k, c in best[:top]
        ],
    }


def scorecard_lines(analysis: Analysis, card: dict | None = None) -> list[str]:
    """The scorecard as short lines of text (the text report prints them, the HTML report
    lists them): what each number is, in words."""
    from .summary import snippet

    card = card or analysis.labels.get("scorecard") or scorecard(analysis)
    out = []
    g = card.get("genre")
    out.append(f"genre: {g['label']} ({g['score']:.2f})" if g else "genre: (not classified)")
    out.append("frames: " + (", ".join(card.get("frames") or []) or "(none above threshold)"))
    dens = card["technique_density"]
    cats = ", ".join(f"{k} {v:g}" for k, v in dens["by_category"].items())
    out.append(f"techniques per 1,000 words: {dens['total']:g}" + (f" ({cats})" if cats else ""))
    st = card["statements"]
    unsupported = st.get("unsupported_claims")
    out.append(f"sentences attributed {st['attributed']:.0%}, hedged {st['hedged']:.0%}, unsupported check-worthy "
               "claims " + (f"{unsupported:.0%}" if unsupported is not None else "(claims not analysed)"))
    claims = analysis.layer("claims")
    quantities = analysis.layer("quantities")
    n_claims = card.get("checkworthy_claims")
    out.append(f"check-worthy claims: {n_claims if n_claims is not None else '(not analysed)'}")
    for k, item in enumerate(card.get("top_claims") or [], 1):
        cid = item["claim_id"]
        if not 0 <= cid < len(claims):
            continue
        nums = [analysis.text[quantities[q].start:quantities[q].end] for q in item.get("quantity_ids", [])
                if 0 <= q < len(quantities)]
        bits = [f"{item['checkworthiness']:.2f}"]
        if nums:
            bits.append("numbers: " + "; ".join(nums))
        bits.append(f"source: {item['source']}" if item.get("source")
                    else f"no source ({item.get('statement') or 'statement unknown'})")
        out.append(f"  {k}. “{snippet(analysis.text, claims[cid])}” ({', '.join(bits)})")
    return out
