"""Label tables between unspin's native techniques and the other corpora's label sets.

Native labels are the 23 SemEval-2023 task 3 techniques (:mod:`.taxonomy`). The
tables below were decided as follows; ``docs/techniques.md`` shows them in full.

* **Native -> PTC-2020 (14 labels).** Renamed 1:1 where PTC has the technique;
  Straw_Man, Red_Herring, Whataboutism and Appeal_to_Hypocrisy all go to PTC's
  merged ``Whataboutism,Straw_Men,Red_Herring`` (old-style "whataboutism" was the
  hypocrisy charge); Appeal_to_Popularity and Guilt_by_Association go to
  ``Bandwagon,Reductio_ad_hitlerum``. Questioning_the_Reputation, Appeal_to_Values,
  Consequential_Oversimplification, Appeal_to_Time and
  Obfuscation-Vagueness-Confusion have no PTC-2020 class (``None``).
* **PTC-2020 -> native** (for training from PTC). The merged classes go to the
  native technique that most of their spans received when the organisers
  re-annotated PTC train for SemEval-2023: aligning PTC-2020 train spans with the
  English SemEval-2023 spans (IoU >= 0.5) gives ``Whataboutism,Straw_Men,Red_Herring``
  -> Red_Herring 35, Appeal_to_Hypocrisy 33, Whataboutism 17, Straw_Man 13 (a
  narrow majority: treat this class as weak supervision), and
  ``Bandwagon,Reductio_ad_hitlerum`` -> Guilt_by_Association 58,
  Appeal_to_Popularity 13.
* **NLP4IF-2019 (18 labels) <-> native.** 1:1 renames, except that NLP4IF's
  ``Whataboutism`` (defined then as charging the opponent with hypocrisy) goes to
  Appeal_to_Hypocrisy: of the aligned spans 29 became Appeal_to_Hypocrisy and 10
  Whataboutism in SemEval-2023. ``Reductio_ad_hitlerum`` -> Guilt_by_Association
  (49 of 54 aligned), ``Bandwagon`` -> Appeal_to_Popularity. Going back,
  native Whataboutism and Appeal_to_Hypocrisy both give ``Whataboutism``.
* **SemEval-2021 memes (20 labels) -> native.** ``Smears`` -> Questioning_the_Reputation,
  ``Glittering generalities (Virtue)`` -> Appeal_to_Values, ``Reductio ad hitlerum``
  -> Guilt_by_Association, ``Bandwagon`` -> Appeal_to_Popularity,
  ``Black-and-white Fallacy/Dictatorship`` -> False_Dilemma-No_Choice,
  ``Thought-terminating cliché`` -> Conversation_Killer, and ``Whataboutism`` ->
  Appeal_to_Hypocrisy, because the 2021 task used the 2019 definition (a hypocrisy
  charge) and its meme spans are overwhelmingly of that kind; the rest by name.
"""

from __future__ import annotations

#: PTC-2020 (SemEval-2020 task 11) labels, exactly as in
#: ``propaganda-techniques-names-semeval2020task11.txt`` (commas inside names).
PTC_LABELS: tuple[str, ...] = (
    "Appeal_to_Authority",
    "Appeal_to_fear-prejudice",
    "Bandwagon,Reductio_ad_hitlerum",
    "Black-and-White_Fallacy",
    "Causal_Oversimplification",
    "Doubt",
    "Exaggeration,Minimisation",
    "Flag-Waving",
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Repetition",
    "Slogans",
    "Thought-terminating_Cliches",
    "Whataboutism,Straw_Men,Red_Herring",
)

#: NLP4IF-2019 labels, exactly as in ``propaganda-techniques-names.txt``.
NLP4IF_LABELS: tuple[str, ...] = (
    "Appeal_to_Authority",
    "Appeal_to_fear-prejudice",
    "Bandwagon",
    "Black-and-White_Fallacy",
    "Causal_Oversimplification",
    "Doubt",
    "Exaggeration,Minimisation",
    "Flag-Waving",
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Obfuscation,Intentional_Vagueness,Confusion",
    "Red_Herring",
    "Reductio_ad_hitlerum",
    "Repetition",
    "Slogans",
    "Straw_Men",
    "Thought-terminating_Cliches",
    "Whataboutism",
)

#: SemEval-2021 task 6 subtask 1/2 labels, exactly as in ``techniques_list_task1-2.txt``.
SEMEVAL2021_LABELS: tuple[str, ...] = (
    "Appeal to authority",
    "Appeal to fear/prejudice",
    "Black-and-white Fallacy/Dictatorship",
    "Causal Oversimplification",
    "Doubt",
    "Exaggeration/Minimisation",
    "Flag-waving",
    "Glittering generalities (Virtue)",
    "Loaded Language",
    "Misrepresentation of Someone's Position (Straw Man)",
    "Name calling/Labeling",
    "Obfuscation, Intentional vagueness, Confusion",
    "Presenting Irrelevant Data (Red Herring)",
    "Reductio ad hitlerum",
    "Repetition",
    "Slogans",
    "Smears",
    "Thought-terminating cliché",
    "Whataboutism",
    "Bandwagon",
)

_WSR = "Whataboutism,Straw_Men,Red_Herring"
_BRH = "Bandwagon,Reductio_ad_hitlerum"

#: Native technique -> PTC-2020 label (``None``: no PTC-2020 class).
NATIVE_TO_PTC: dict[str, str | None] = {
    "Name_Calling-Labeling": "Name_Calling,Labeling",
    "Guilt_by_Association": _BRH,
    "Doubt": "Doubt",
    "Appeal_to_Hypocrisy": _WSR,
    "Questioning_the_Reputation": None,
    "Flag_Waving": "Flag-Waving",
    "Appeal_to_Authority": "Appeal_to_Authority",
    "Appeal_to_Popularity": _BRH,
    "Appeal_to_Values": None,
    "Appeal_to_Fear-Prejudice": "Appeal_to_fear-prejudice",
    "Causal_Oversimplification": "Causal_Oversimplification",
    "False_Dilemma-No_Choice": "Black-and-White_Fallacy",
    "Consequential_Oversimplification": None,
    "Straw_Man": _WSR,
    "Red_Herring": _WSR,
    "Whataboutism": _WSR,
    "Slogans": "Slogans",
    "Conversation_Killer": "Thought-terminating_Cliches",
    "Appeal_to_Time": None,
    "Loaded_Language": "Loaded_Language",
    "Obfuscation-Vagueness-Confusion": None,
    "Exaggeration-Minimisation": "Exaggeration,Minimisation",
    "Repetition": "Repetition",
}

#: PTC-2020 label -> native technique (merged classes: most frequent member, see above).
PTC_TO_NATIVE: dict[str, str] = {
    "Appeal_to_Authority": "Appeal_to_Authority",
    "Appeal_to_fear-prejudice": "Appeal_to_Fear-Prejudice",
    _BRH: "Guilt_by_Association",
    "Black-and-White_Fallacy": "False_Dilemma-No_Choice",
    "Causal_Oversimplification": "Causal_Oversimplification",
    "Doubt": "Doubt",
    "Exaggeration,Minimisation": "Exaggeration-Minimisation",
    "Flag-Waving": "Flag_Waving",
    "Loaded_Language": "Loaded_Language",
    "Name_Calling,Labeling": "Name_Calling-Labeling",
    "Repetition": "Repetition",
    "Slogans": "Slogans",
    "Thought-terminating_Cliches": "Conversation_Killer",
    _WSR: "Red_Herring",
}

#: NLP4IF-2019 label -> native technique.
NLP4IF_TO_NATIVE: dict[str, str] = {
    "Appeal_to_Authority": "Appeal_to_Authority",
    "Appeal_to_fear-prejudice": "Appeal_to_Fear-Prejudice",
    "Bandwagon": "Appeal_to_Popularity",
    "Black-and-White_Fallacy": "False_Dilemma-No_Choice",
    "Causal_Oversimplification": "Causal_Oversimplification",
    "Doubt": "Doubt",
    "Exaggeration,Minimisation": "Exaggeration-Minimisation",
    "Flag-Waving": "Flag_Waving",
    "Loaded_Language": "Loaded_Language",
    "Name_Calling,Labeling": "Name_Calling-Labeling",
    "Obfuscation,Intentional_Vagueness,Confusion": "Obfuscation-Vagueness-Confusion",
    "Red_Herring": "Red_Herring",
    "Reductio_ad_hitlerum": "Guilt_by_Association",
    "Repetition": "Repetition",
    "Slogans": "Slogans",
    "Straw_Men": "Straw_Man",
    "Thought-terminating_Cliches": "Conversation_Killer",
    "Whataboutism": "Appeal_to_Hypocrisy",
}

#: Native technique -> NLP4IF-2019 label (``None``: no NLP4IF class).
NATIVE_TO_NLP4IF: dict[str, str | None] = {
    "Name_Calling-Labeling": "Name_Calling,Labeling",
    "Guilt_by_Association": "Reductio_ad_hitlerum",
    "Doubt": "Doubt",
    "Appeal_to_Hypocrisy": "Whataboutism",
    "Questioning_the_Reputation": None,
    "Flag_Waving": "Flag-Waving",
    "Appeal_to_Authority": "Appeal_to_Authority",
    "Appeal_to_Popularity": "Bandwagon",
    "Appeal_to_Values": None,
    "Appeal_to_Fear-Prejudice": "Appeal_to_fear-prejudice",
    "Causal_Oversimplification": "Causal_Oversimplification",
    "False_Dilemma-No_Choice": "Black-and-White_Fallacy",
    "Consequential_Oversimplification": None,
    "Straw_Man": "Straw_Men",
    "Red_Herring": "Red_Herring",
    "Whataboutism": "Whataboutism",
    "Slogans": "Slogans",
    "Conversation_Killer": "Thought-terminating_Cliches",
    "Appeal_to_Time": None,
    "Loaded_Language": "Loaded_Language",
    "Obfuscation-Vagueness-Confusion": "Obfuscation,Intentional_Vagueness,Confusion",
    "Exaggeration-Minimisation": "Exaggeration,Minimisation",
    "Repetition": "Repetition",
}

#: SemEval-2021 task 6 meme label -> native technique.
SEMEVAL2021_TO_NATIVE: dict[str, str] = {
    "Appeal to authority": "Appeal_to_Authority",
    "Appeal to fear/prejudice": "Appeal_to_Fear-Prejudice",
    "Black-and-white Fallacy/Dictatorship": "False_Dilemma-No_Choice",
    "Causal Oversimplification": "Causal_Oversimplification",
    "Doubt": "Doubt",
    "Exaggeration/Minimisation": "Exaggeration-Minimisation",
    "Flag-waving": "Flag_Waving",
    "Glittering generalities (Virtue)": "Appeal_to_Values",
    "Loaded Language": "Loaded_Language",
    "Misrepresentation of Someone's Position (Straw Man)": "Straw_Man",
    "Name calling/Labeling": "Name_Calling-Labeling",
    "Obfuscation, Intentional vagueness, Confusion": "Obfuscation-Vagueness-Confusion",
    "Presenting Irrelevant Data (Red Herring)": "Red_Herring",
    "Reductio ad hitlerum": "Guilt_by_Association",
    "Repetition": "Repetition",
    "Slogans": "Slogans",
    "Smears": "Questioning_the_Reputation",
    "Thought-terminating cliché": "Conversation_Killer",
    "Whataboutism": "Appeal_to_Hypocrisy",
    "Bandwagon": "Appeal_to_Popularity",
}

#: Native technique -> SemEval-2021 label (``None``: no meme class).
NATIVE_TO_SEMEVAL2021: dict[str, str | None] = {
    "Name_Calling-Labeling": "Name calling/Labeling",
    "Guilt_by_Association": "Reductio ad hitlerum",
    "Doubt": "Doubt",
    "Appeal_to_Hypocrisy": "Whataboutism",
    "Questioning_the_Reputation": "Smears",
    "Flag_Waving": "Flag-waving",
    "Appeal_to_Authority": "Appeal to authority",
    "Appeal_to_Popularity": "Bandwagon",
    "Appeal_to_Values": "Glittering generalities (Virtue)",
    "Appeal_to_Fear-Prejudice": "Appeal to fear/prejudice",
    "Causal_Oversimplification": "Causal Oversimplification",
    "False_Dilemma-No_Choice": "Black-and-white Fallacy/Dictatorship",
    "Consequential_Oversimplification": None,
    "Straw_Man": "Misrepresentation of Someone's Position (Straw Man)",
    "Red_Herring": "Presenting Irrelevant Data (Red Herring)",
    "Whataboutism": "Whataboutism",
    "Slogans": "Slogans",
    "Conversation_Killer": "Thought-terminating cliché",
    "Appeal_to_Time": None,
    "Loaded_Language": "Loaded Language",
    "Obfuscation-Vagueness-Confusion": "Obfuscation, Intentional vagueness, Confusion",
    "Exaggeration-Minimisation": "Exaggeration/Minimisation",
    "Repetition": "Repetition",
}

#: Misspellings found in the SemEval-2023 release (English paragraph labels).
SEMEVAL2023_MISSPELLINGS: dict[str, str] = {
    "Appeal_to_Fear-Prejudi-čce": "Appeal_to_Fear-Prejudice",
}
