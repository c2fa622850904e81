import pytest

from unspin.model import Span
from unspin.techniques.symmetry import compare, swap_actors


@pytest.mark.parametrize("text,expected", [
    ("Putin said Russia would win.", "Biden said the United States would win."),
    ("The Kremlin lied, Washington said.", "The White House lied, Moscow said."),
    ("Russians and Americans.", "Americans and Russians."),
    ("Democrats blame Republicans.", "Republicans blame Democrats."),
    ("Prussia and Russiagate stay.", "Prussia and Russiagate stay."),
])
def test_symmetry_swap_actors(text, expected):
    assert swap_actors(text).text == expected


def test_symmetry_offsets_map_through_the_swap():
    text = "Putin said the plan was a disgrace to Russia and an insult."
    sw = swap_actors(text)
    for word in ("said", "disgrace", "insult"):
        i = text.index(word)
        j = sw.map_offset(i)
        assert sw.text[j:j + len(word)] == word


def test_symmetry_compare_counts_kept_changed_gone_new():
    text = "Putin is a liar and a thug, says Moscow."
    sw = swap_actors(text)
    at = lambda t, w, lab: Span(t.index(w), t.index(w) + len(w), lab)  # noqa: E731
    orig = [at(text, "liar", "Name_Calling-Labeling"), at(text, "thug", "Name_Calling-Labeling"),
            at(text, "says", "Doubt")]
    after = [at(sw.text, "liar", "Name_Calling-Labeling"), at(sw.text, "thug", "Loaded_Language"),
             at(sw.text, "Biden", "Loaded_Language")]
    assert compare(orig, after, sw) == {"spans": 3, "kept": 1, "changed": 1, "gone": 1, "new": 2}


def test_symmetry_swapped_training_copies_keep_spans_on_their_words():
    from unspin.train.corpora import LabelledArticle
    from unspin.train.swap_twins import swapped_copies

    text = "Russia is a rogue state, Putin a tyrant. The weather was fine."
    spans = [(text.index("rogue"), text.index("rogue") + 11, "Name_Calling-Labeling", "x"),
             (text.index("tyrant"), text.index("tyrant") + 6, "Name_Calling-Labeling", "x")]
    recs = [LabelledArticle("1", "ptc2020", "en", text, spans), LabelledArticle("2", "ptc2020", "en", "No actors.")]
    (copy,) = swapped_copies(recs)
    assert copy.text.startswith("The United States is a rogue state, Biden a tyrant.")
    assert [copy.text[s:e] for s, e, *_ in copy.spans] == ["rogue state", "tyrant"]


def test_symmetry_held_out_pairs_are_never_swapped_in_training():
    from unspin.techniques.symmetry import HELD_OUT_PAIRS, PAIRS

    text = "Pelosi told CNN that Russia lied."
    held = swap_actors(text, held_out=True)
    assert held.text == "McConnell told Fox News that Russia lied."
    assert swap_actors(text).text == "Pelosi told CNN that the United States lied."
    trained = {w for pair in PAIRS for w in pair}
    assert not trained & {w for pair in HELD_OUT_PAIRS for w in pair}
    with pytest.raises(ValueError, match="not several"):
        swap_actors(text, control=True, held_out=True)


def test_symmetry_every_pair_has_one_kind_and_a_kind_swaps_only_its_pairs():
    from unspin.techniques.symmetry import KINDS, PAIRS, kind_pairs

    firsts = [w for names in KINDS.values() for w in names]
    assert sorted(firsts) == sorted(p[0] for p in PAIRS)  # each pair in exactly one kind
    assert sum(len(kind_pairs(k)) for k in KINDS) == len(PAIRS)
    text = "Putin said Russians in Moscow were safe."
    assert swap_actors(text, kind="person").text == "Biden said Russians in Moscow were safe."
    assert swap_actors(text, kind="country or city").text == "Putin said Russians in Washington were safe."
    assert swap_actors(text, kind="nation, party or faith").text == "Putin said Americans in Moscow were safe."
    with pytest.raises(ValueError, match="unknown actor kind"):
        swap_actors(text, kind="planet")
    with pytest.raises(ValueError, match="not several"):
        swap_actors(text, held_out=True, kind="person")
