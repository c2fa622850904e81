"""The attribute ruler's own matcher against spaCy's: same matches, same annotations."""
import pytest

from unspin.attribute_rules import RuleMatcher, Unsupported, speed_up_attribute_ruler

TEXTS = [
    "",
    "   ",
    "I ain't gonna say it. Let's go, y'all, c'mon! We gotta leave.",
    "There is a dog.\n\n\nIt did it, and you did too; did I?",
    "But the minister, who had said it was 'fake news', did not answer them.",
    "The U.S. and Russia — again — accused each other of 3.5% of the blame.",
]


def parsed_up_to_ruler(nlp, text):
    doc = nlp.make_doc(text)
    for name, proc in nlp.pipeline:
        if name == "attribute_ruler":
            return doc
        doc = proc(doc)
    raise AssertionError("no attribute_ruler")


@pytest.fixture(scope="module")
def nlp(engine):
    return engine.nlp


def test_attribute_rules_engine_uses_the_fast_matcher(nlp):
    assert isinstance(nlp.get_pipe("attribute_ruler").match, RuleMatcher)


@pytest.mark.parametrize("text", TEXTS)
def test_attribute_rules_match_like_spacy(nlp, text):
    ruler = nlp.get_pipe("attribute_ruler")
    doc = parsed_up_to_ruler(nlp, text)
    spacy_matches = type(ruler).match(ruler, doc)
    assert ruler.match(doc) == spacy_matches


def test_attribute_rules_annotations_like_spacy(nlp, sample_text):
    ruler = nlp.get_pipe("attribute_ruler")
    ours = parsed_up_to_ruler(nlp, sample_text)
    theirs = parsed_up_to_ruler(nlp, sample_text)
    ruler(ours)
    ruler.set_annotations(theirs, type(ruler).match(ruler, theirs))
    assert len(ruler.match(ours)) > len(ours) / 2  # the tag map matches nearly every token
    for a, b in zip(ours, theirs):
        assert (a.tag_, a.pos_, str(a.morph), a.lemma_, a.dep_) == (b.tag_, b.pos_, str(b.morph), b.lemma_, b.dep_)


def test_attribute_rules_other_rule_forms_keep_spacys_matcher():
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"ORTH": "Hello"}]], {"POS": "INTJ"})
    with pytest.raises(Unsupported):
        RuleMatcher(ruler)
    assert speed_up_attribute_ruler(nlp) is False
    assert nlp("Hello there")[0].pos_ == "INTJ"


def test_attribute_rules_supported_forms_on_a_blank_pipeline():
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": {"IN": ["hello", "hi"]}}]], {"POS": "INTJ"})
    ruler.add([[{"LOWER": "new"}, {"LOWER": {"REGEX": "^york$"}}]], {"POS": "PROPN"}, index=1)
    ruler.add([[{"IS_SPACE": True}]], {"POS": "SPACE"})
    ruler.add([[{"LOWER": {"NOT_IN": ["hello", "hi", "new", "york"]}, "IS_SPACE": False}]], {"POS": "X"})
    doc = nlp.make_doc("Hi  New York new world")
    spacy_matches = ruler.match(doc)
    assert speed_up_attribute_ruler(nlp) is True
    assert ruler.match(doc) == spacy_matches
    assert [t.pos_ for t in nlp("Hi  New York new world")] == ["INTJ", "SPACE", "", "PROPN", "", "X"]
    assert speed_up_attribute_ruler(spacy.blank("en")) is False  # no ruler
