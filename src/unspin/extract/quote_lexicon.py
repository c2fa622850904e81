"""The cue lexicon of :mod:`.quote_cues`: which words attribute content to a source, and how.

Drawn up by hand from the verbs and nouns that PolNeAR's *train* split
annotates as attribution cues with a given complement at least about 40% of
the time (speech, cognition, evidence and stance words), pruned of the ones
whose complement is rarely the content; the lemmas are spaCy's. Alone, these
lists decide which words are cues (the ``quotes`` layer without its cue
model); with the learned model of :mod:`.quote_model` they give the "rule"
reading of a word and features of every candidate, and the model decides.
"""
from __future__ import annotations

#: verbs whose clausal complement ("said (that) ...", "warned ...") is the content
CLAUSE_CUES = frozenset("""
say tell add write suggest show note argue ask report find announce believe insist explain claim acknowledge
declare state hope point conclude indicate warn tweet reveal admit agree predict respond question reply
recall fear assert assure worry concede wonder learn read complain seem imply convince allege estimate recognize
confirm promise deny joke emphasize remark post demonstrate remind discuss charge describe contend maintain realize
mention boast reiterate guess suspect stress propose caution signal pledge vow lament urge answer recommend demand
express proclaim doubt speculate testify clarify hint calculate counter interject observe retort quip exclaim shout
yell scream whisper mutter muse theorize surmise acknowledge disclose divulge affirm reaffirm repeat stipulate
explain comment pronounce protest object grumble gripe brag concur rule contend opine posit think know
feel expect assume presume figure reckon imagine bet prove email text wire inform notify advise warn threaten
""".split())
#: verbs whose infinitive complement ("refused to ...", "is expected to ...") is the content
INFINITIVE_CUES = frozenset("""
expect seem appear decline ask refuse seek call urge vow promise pledge say hope decide threaten agree propose
tell report show order claim offer prefer suggest request encourage chant shout tweet note write mention warn
endorse challenge argue press aim demand plead intend plan want vote push
""".split())
#: verbs whose direct object is the content ("criticized the plan", "called it a disgrace")
OBJECT_CUES = frozenset("""
call show endorse describe accuse criticize cite announce defend express praise attack discuss oppose mention
blame reject blast denounce question dismiss issue propose recall slam mock report tout portray highlight note
list explain thank acknowledge reveal repeat promise declare remind echo voice reiterate quote emphasize decry
reference applaud credit stress deem urge lament warn order chide recount characterize label chant dispute rebuke
state articulate liken rebut assail bemoan repudiate dub preach herald reaffirm deride lambaste condemn disavow
hail predict praise tweet retweet post email write ridicule insult bash savage trash belittle disparage deny
""".split())
#: verbs whose object is the content when a named person, group or country is the subject
#: ("Cruz backed the bill", not "the data back the claim")
NAMED_OBJECT_CUES = frozenset("""
support back oppose see attack offer release reject promote name cast embrace seek favor prefer target
""".split())
#: (verb, preposition) pairs whose prepositional object is the content ("talked about X")
PREP_CUES = frozenset({
    ("talk", "about"), ("speak", "about"), ("speak", "of"), ("refer", "to"), ("point", "to"), ("rail", "against"),
    ("push", "for"), ("call", "for"), ("comment", "on"), ("warn", "of"), ("warn", "about"), ("warn", "against"),
    ("complain", "about"), ("lash", "at"), ("advocate", "for"), ("apologize", "for"), ("vouch", "for"),
    ("allude", "to"), ("elaborate", "on"), ("boast", "about"), ("brag", "about"), ("worry", "about"),
    ("write", "about"), ("tweet", "about"), ("argue", "for"), ("argue", "against"), ("dwell", "on"),
    ("testify", "about"), ("joke", "about"), ("muse", "about"), ("speculate", "about"), ("respond", "to"),
    ("ask", "about"), ("reflect", "on"), ("weigh", "in"), ("rave", "about"), ("side", "with"),
})
#: nouns whose "that"-clause is the content ("his claim that ...")
NOUN_CUES = frozenset("""
statement claim promise suggestion complaint assertion hope doubt belief argument pledge confidence fear
assumption speculation admission allegation warning insistence contention view notion prediction vow
""".split())
#: (noun, preposition) pairs whose object is the content ("her criticism of the plan")
NOUN_PREP_CUES = frozenset({
    ("criticism", "of"), ("endorsement", "of"), ("opposition", "to"), ("praise", "for"), ("praise", "of"),
    ("defense", "of"), ("concern", "about"), ("concern", "over"), ("doubt", "about"), ("allegation", "of"),
    ("accusation", "of"), ("warning", "about"), ("warning", "of"), ("call", "for"), ("demand", "for"),
    ("question", "about"), ("complaint", "about"), ("denunciation", "of"), ("rejection", "of"),
    ("disagreement", "with"), ("apology", "for"), ("advice", "on"), ("reference", "to"), ("mention", "of"),
})
#: lemmas treated as speech verbs when attaching a direct quotation to a cue nearby
SPEECH_CUES = (CLAUSE_CUES | {"continue"}) - {
    "seem", "learn", "realize", "know", "feel", "bet", "imagine", "prove", "figure", "find",
}
#: verbs whose subject belongs to the content, not the source: "Trump seemed to ...",
#: "Sanders is expected to ..." (the source is unnamed)
RAISING_CUES = frozenset({"seem", "appear"})
PASSIVE_RAISING_CUES = frozenset({"expect", "say", "believe", "think", "report", "consider", "rumor", "know",
                                  "suppose", "predict", "project", "see"})
#: verb + particle pairs that stay cues ("point out"); any other particle makes another verb ("show up")
PARTICLE_CUES = frozenset({
    ("point", "out"), ("lay", "out"), ("spell", "out"), ("weigh", "in"), ("lash", "out"), ("speak", "out"),
    ("call", "out"), ("single", "out"), ("rule", "out"), ("fire", "back"), ("hit", "back"), ("push", "back"),
    ("brush", "off"), ("shrug", "off"), ("play", "down"), ("open", "up"), ("own", "up"), ("speak", "up"),
    ("sign", "off"), ("chime", "in"), ("cry", "out"), ("bring", "up"), ("write", "off"),
})
