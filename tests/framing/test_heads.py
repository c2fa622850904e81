"""Genre and framing heads: the numpy fits, the heads file, the article vector and the
component, with the tiny stand-in sentence model of conftest.py and heads written here."""
import json

import numpy as np
import pytest

from unspin.errors import ModelError
from unspin.framing.features import STYLE_FEATURES, article_vector, style_features
from unspin.framing.heads import FramingHeads
from unspin.framing.linear import fit_sigmoid, fit_softmax, sigmoid, softmax, standardizer

DIM = 4  # embedding size of the tiny sentence model
FRAMES = ["Security_and_defense", "Economic", "Crime_and_punishment"]


def tiny_heads(threshold=0.5) -> dict:
    """Heads that read the tiny model's embedding dimensions: war -> Security, economy -> Economic,
    crime -> Crime; "reporting" when most sentences report speech (said_share)."""
    d = DIM + len(STYLE_FEATURES)
    frames_w = np.zeros((3, d))
    for j in range(3):
        frames_w[j, j] = 10.0
    genre_w = np.zeros((3, d))
    genre_w[1, DIM + STYLE_FEATURES.index("said_share")] = 10.0
    return {"features": {"style": list(STYLE_FEATURES), "embedding_dim": DIM},
            "mean": [0.0] * d, "scale": [1.0] * d,
            "genre": {"labels": ["opinion", "reporting", "satire"], "weights": genre_w.tolist(), "bias": [0, -4, -9]},
            "frames": {"labels": FRAMES, "weights": frames_w.tolist(), "bias": [-3.0] * 3, "threshold": threshold}}


def test_heads_softmax_fit_separates_and_weighs_rare_classes():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 1, (90, 2)), rng.normal(3, 1, (10, 2))])
    y = np.array([0] * 90 + [1] * 10)
    W, b = fit_softmax(X, y, 3, l2=0.1)
    pred = softmax(X @ W.T + b).argmax(1)
    assert (pred[90:] == 1).mean() >= 0.8 and (pred[:90] == 0).mean() >= 0.8 and not (pred == 2).any()
    W2, b2 = fit_softmax(X, y, 3, l2=0.1, balanced=False)
    assert (softmax(X @ W2.T + b2).argmax(1) == 1).sum() <= (pred == 1).sum()


def test_heads_sigmoid_fit_per_label():
    rng = np.random.default_rng(1)
    X = rng.normal(0, 1, (200, 3))
    Y = np.stack([X[:, 0] > 0, X[:, 1] < 0], axis=1).astype(float)
    W, b = fit_sigmoid(X, Y, l2=0.1)
    acc = ((sigmoid(X @ W.T + b) >= 0.5) == Y.astype(bool)).mean(0)
    assert (acc > 0.9).all()


def test_heads_standardizer_keeps_constant_columns():
    mean, scale = standardizer(np.array([[1.0, 5.0], [3.0, 5.0]]))
    assert list(mean) == [2.0, 5.0] and list(scale) == [1.0, 1.0]


@pytest.mark.parametrize("sentences, expected", [
    (["\"We won,\" he said.", "They said so."], {"quote_share": 0.5, "said_share": 1.0, "question_share": 0.0}),
    (["Do you care?", "I do!"], {"second_person": 10 * 1 / 5, "question_share": 0.5, "exclaim_share": 0.5}),
    ([], {"quote_share": 0.0, "log_words": 0.0}),
])
def test_heads_style_features(sentences, expected):
    f = dict(zip(STYLE_FEATURES, style_features(sentences, np.zeros(len(sentences)))))
    for k, v in expected.items():
        assert f[k] == pytest.approx(v, rel=1e-5), k


def test_heads_article_vector_normalises_sentences():
    v = article_vector(["a b c", "d e f"], [0.0, 1.0], np.array([[3.0, 0, 0, 4.0], [0, 0, 0, 2.0]]))
    assert v.shape == (DIM + len(STYLE_FEATURES),)
    assert v[:DIM] == pytest.approx([0.3, 0, 0, 0.9])
    assert v[DIM + STYLE_FEATURES.index("mean_claim_logit")] == pytest.approx(0.5)
    assert article_vector([], [], np.zeros((0, DIM))).shape == v.shape


def test_heads_predict_genre_and_frames():
    heads = FramingHeads(tiny_heads())
    x = np.zeros(DIM + len(STYLE_FEATURES))
    x[0], x[2] = 0.9, 0.5
    genre = heads.genre(x)
    assert genre["label"] == "opinion" and sum(genre["scores"].values()) == pytest.approx(1, abs=1e-3)
    assert [f["label"] for f in heads.frames(x)] == ["Security_and_defense", "Crime_and_punishment"]
    x[DIM + STYLE_FEATURES.index("said_share")] = 1.0
    assert heads.genre(x)["label"] == "reporting"


def test_heads_file_problems_say_how_to_fix(tmp_path):
    with pytest.raises(ModelError, match="unspin train framing"):
        FramingHeads.load(tmp_path)
    bad = tiny_heads()
    bad["features"]["style"] = ["quote_share"]
    with pytest.raises(ModelError, match="unspin train framing"):
        FramingHeads(bad)
    bad = tiny_heads()
    bad["mean"] = [0.0]
    with pytest.raises(ModelError, match="inconsistent"):
        FramingHeads(bad)


def test_heads_component_sets_labels(tmp_path, tiny_claim_model_dir):
    import spacy

    from unspin.extract.claims import ClaimFinder
    from unspin.extract.layers import get_labels, set_layer
    from unspin.framing.component import FramingClassifier
    from unspin.model import Span

    (tmp_path / "heads.json").write_text(json.dumps(tiny_heads()), encoding="utf-8")
    text = "The war goes on and on . The war is the war . Crime by the economy ."
    doc = spacy.blank("en").make_doc(text)
    starts = [0, text.index("The war is"), text.index("Crime")]
    ends = [starts[1] - 1, starts[2] - 1, len(text)]
    set_layer(doc, "sentences", [Span(a, b, "sentence") for a, b in zip(starts, ends)], mirror=False)
    alone = FramingClassifier(str(tmp_path), str(tiny_claim_model_dir))(doc)  # computes embeddings itself
    labels = dict(get_labels(alone))
    assert labels["genre"]["label"] == "opinion"
    assert [f["label"] for f in labels["frames"]][0] == "Security_and_defense"
    doc2 = spacy.blank("en").make_doc(text)
    set_layer(doc2, "sentences", [Span(a, b, "sentence") for a, b in zip(starts, ends)], mirror=False)
    doc2 = ClaimFinder(str(tiny_claim_model_dir))(doc2)
    doc2 = FramingClassifier(str(tmp_path), str(tiny_claim_model_dir))(doc2)  # reuses the claims' embeddings
    assert get_labels(doc2) == labels


def test_heads_fit_on_another_sentence_model_say_how_to_fix(tmp_path, tiny_claim_model_dir):
    import shutil

    import spacy

    from unspin.framing.component import FramingClassifier

    enc = tmp_path / "enc"
    shutil.copytree(tiny_claim_model_dir, enc)
    config = json.loads((enc / "config.json").read_text())
    config["model_id"] = "sha1-new"
    (enc / "config.json").write_text(json.dumps(config))
    heads = tiny_heads()
    heads["encoder_id"] = "sha1-old"
    (tmp_path / "heads.json").write_text(json.dumps(heads), encoding="utf-8")
    with pytest.raises(ModelError, match="unspin train framing"):
        FramingClassifier(str(tmp_path), str(enc))(spacy.blank("en").make_doc("The war."))


# -- the genre vector: style plus what the other layers found ---------------------------------
def _span(a, b, label, score=None, **attrs):
    from unspin.model import Span

    return Span(a, b, label, score, attrs)


def test_heads_layer_features_from_layers_and_missing_ones():
    from unspin.framing.features import LAYER_FEATURES, LAYER_SOURCES, layer_features

    text = " ".join(["word"] * 100)  # 100 words: a density is count * 10
    layers = {
        "techniques": [_span(0, 4, "Loaded_Language", 0.8, category="manipulative_wording"),
                       _span(5, 9, "Doubt", 0.4, category="attack_on_reputation")],
        "quotes": [_span(0, 50, "direct", kind="direct", speaker="A"), _span(60, 70, "indirect", kind="indirect")],
        "statements": [_span(0, 9, "attributed"), _span(10, 19, "asserted"), _span(20, 29, "asserted"),
                       _span(30, 39, "hedged")],
        "quantities": [_span(0, 4, "count")],
        "entities": [_span(0, 4, "PERSON"), _span(5, 9, "GPE"), _span(10, 14, "GPE")],
    }
    f, missing = layer_features(text, layers)
    got = dict(zip(LAYER_FEATURES, f))
    assert missing == ["claims"]
    assert got["technique_density"] == pytest.approx(20) and got["technique_mean_score"] == pytest.approx(0.6)
    assert got["category_manipulative_wording"] == pytest.approx(10) and got["category_call"] == 0
    assert got["quote_density"] == pytest.approx(20) and got["quoted_char_share"] == pytest.approx(60 / len(text))
    assert got["direct_density"] == pytest.approx(10) and got["speaker_density"] == pytest.approx(10)
    assert got["asserted_share"] == pytest.approx(0.5) and got["hedged_share"] == pytest.approx(0.25)
    assert got["place_density"] == pytest.approx(20) and got["quantity_density"] == pytest.approx(10)
    assert np.isnan(got["mean_checkworthiness"]) and np.isnan(got["checkworthy_share"])
    # a layer that ran and found nothing is zero, not missing
    f, missing = layer_features(text, {name: [] for name in LAYER_SOURCES})
    assert missing == [] and not np.isnan(f).any() and (f == 0).all()


def genre_vector_heads(min_label_articles=5) -> dict:
    """Tiny heads whose genre head reads the genre vector: reporting when few techniques."""
    from unspin.framing.features import LAYER_FEATURES

    heads = tiny_heads()
    names = list(STYLE_FEATURES + LAYER_FEATURES)
    w = np.zeros((3, len(names)))
    w[1, names.index("technique_density")] = -1.0   # reporting: fewer techniques than average
    w[2, names.index("first_person")] = 1.0
    heads["genre"] = {"labels": ["opinion", "reporting", "satire"], "inputs": "genre_vector", "features": names,
                      "mean": [0.0] * len(names), "scale": [1.0] * len(names),
                      "weights": w.tolist(), "bias": [0.0, 0.0, 0.0],
                      "train_counts": {"opinion": 300, "reporting": 30, "satire": 2},
                      "min_label_articles": min_label_articles}
    heads["genre"]["mean"][names.index("technique_density")] = 30.0
    return heads


def test_heads_genre_vector_missing_layers_count_as_the_mean_and_rare_genres_are_no_label():
    from unspin.framing.features import LAYER_FEATURES

    names = list(STYLE_FEATURES + LAYER_FEATURES)
    heads = FramingHeads(genre_vector_heads())
    g = np.zeros(len(names))
    g[names.index("technique_density")] = 5.0   # far below the mean of 30
    assert heads.genre(g)["label"] == "reporting"
    g[names.index("technique_density")] = np.nan  # techniques layer absent: the mean, no evidence
    out = heads.genre(g, ["techniques"])
    assert out["missing_layers"] == ["techniques"]
    assert out["scores"]["opinion"] == pytest.approx(out["scores"]["reporting"], abs=1e-4)
    g[names.index("first_person")] = 50.0          # satire wins the scores but had 2 training articles
    out = heads.genre(g)
    assert max(out["scores"], key=out["scores"].get) == "satire" and out["label"] != "satire"
    assert FramingHeads(genre_vector_heads(min_label_articles=0)).genre(g)["label"] == "satire"


def test_heads_genre_vector_features_must_match(tmp_path):
    bad = genre_vector_heads()
    bad["genre"]["features"] = bad["genre"]["features"][:-1]
    with pytest.raises(ModelError, match="unspin train framing"):
        FramingHeads(bad)
    bad = genre_vector_heads()
    bad["genre"]["features"][0] = "tea_leaf_density"
    with pytest.raises(ModelError, match="unspin train framing"):
        FramingHeads(bad)
    bad = genre_vector_heads()
    bad["genre"]["inputs"] = "tea leaves"
    with pytest.raises(ModelError, match="unknown genre inputs"):
        FramingHeads(bad)


def test_heads_component_reads_the_other_layers(tmp_path, tiny_claim_model_dir):
    import spacy

    from unspin.extract.layers import get_labels, set_layer
    from unspin.framing.component import FramingClassifier
    from unspin.model import Span

    (tmp_path / "heads.json").write_text(json.dumps(genre_vector_heads()), encoding="utf-8")
    text = "The war goes on and on . The war is the war . Crime by the economy ."

    def doc_with(techniques):
        doc = spacy.blank("en").make_doc(text)
        set_layer(doc, "sentences", [Span(0, len(text), "sentence")], mirror=False)
        if techniques is not None:
            set_layer(doc, "techniques", techniques, mirror=False)
        return FramingClassifier(str(tmp_path), str(tiny_claim_model_dir))(doc)

    few = get_labels(doc_with([]))["genre"]
    many = get_labels(doc_with([Span(0, 3, "Loaded_Language", 0.9, {"category": "manipulative_wording"})] * 30))["genre"]
    assert few["label"] == "reporting" and many["label"] == "opinion"
    assert "techniques" not in few.get("missing_layers", [])
    absent = get_labels(doc_with(None))["genre"]
    assert "techniques" in absent["missing_layers"] and "quotes" in absent["missing_layers"]


def test_heads_genre_head_may_read_a_subset_of_the_genre_vector():
    """A head trained without the technique features picks its columns from the full vector
    and does not call an absent techniques layer missing."""
    from unspin.framing.features import LAYER_FEATURES, LAYER_SOURCES

    full = list(STYLE_FEATURES + LAYER_FEATURES)
    heads = genre_vector_heads()
    keep = [i for i, n in enumerate(full) if n not in LAYER_SOURCES["techniques"]]
    g = heads["genre"]
    g["features"] = [full[i] for i in keep]
    g["mean"], g["scale"] = [g["mean"][i] for i in keep], [g["scale"][i] for i in keep]
    g["weights"] = [[row[i] for i in keep] for row in g["weights"]]
    sub = FramingHeads(heads)
    x = np.zeros(len(full))
    x[full.index("first_person")] = 50.0
    x[full.index("technique_density")] = np.nan
    out = sub.genre(x, ["techniques"])
    assert "missing_layers" not in out and max(out["scores"], key=out["scores"].get) == "satire"
    assert sub.genre(x, ["techniques", "quotes"])["missing_layers"] == ["quotes"]
    assert np.allclose(sub.genre_scores(x), sub.genre_scores(x[keep]))
