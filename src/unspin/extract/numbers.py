"""Numbers as written in news text: patterns, word lists and parsers.

The lexical layer under :mod:`unspin.extract.quantities` (which holds the
logic that reads numbers in context). Everything here is data or a pure
function: compiled patterns, tables, and small parsers that turn a matched
piece of text into a value.

* numerals: ``1,234,567.8``, ``1 234 567`` (plain, no-break, thin, hair or
  narrow no-break spaces), ``1.234.567`` (European grouping, only when there
  are at least two dot groups: a single ``1.234`` is read as a decimal);
* number words: ``twenty-five``, ``seven hundred and fifty``, ``a dozen``;
* scales: ``thousand``/``k``, ``million``/``m``/``mn``/``mln``,
  ``billion``/``bn``/``b``, ``trillion``/``tn``, ``lakh``, ``crore``;
* lexicons: currencies (symbols, ISO codes, names with qualifiers), time
  units and physical measure units with their normalised spelling;
* patterns: ``SCAN_RE`` (every quantity start, dates, masks), ``TRIGGER_RE``
  (its cheap pre-filter), and short anchored patterns for what sits before
  (currency, "about", "more than") and after (scale, unit, counted noun);
* word lists for context decisions (stop words, naming nouns, year
  prepositions).

Values are :class:`decimal.Decimal` so that ``42.74 million`` is exactly
``42740000``; :func:`to_number` turns them into ``int`` or ``float`` at the end.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

#: One space-like character inside a number or between words (never a newline).
SP = "[ \u00a0\u2009\u200a\u202f\u2007]"
#: Hyphen, non-breaking hyphen, figure dash, en dash, em dash, minus sign.
DASH = "[-\u2010\u2011\u2012\u2013\u2014\u2212]"
_GROUP_SPACES = " \u00a0\u2009\u200a\u202f\u2007"

# --------------------------------------------------------------------------- numerals
#: A numeral; the alternatives are ordered so grouped forms win over bare digits.
NUMERAL = (
    r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 1,234,567.89
    r"|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?"  # 1.234.567,89 (European, unambiguous)
    rf"|\d{{1,3}}(?:{SP}\d{{3}})+(?:\.\d+)?"  # 1 234 567 with any space-like separator
    rf"|\d{{1,3}},\d{{1,2}}(?={SP}?(?:%|％|(?i:euros?|eur|per{SP}?cent|percent|million|mln|billion|bn|mn)\b))"  # 1,85 euros
    r"|\d+(?:\.\d+)?|\.\d+)(?![\d])"
)


def parse_numeral(s: str) -> Decimal | None:
    """Value of a numeral matched by :data:`NUMERAL` (``None`` if it is not one)."""
    t = s
    for ch in _GROUP_SPACES:
        t = t.replace(ch, "")
    if t.count(".") >= 2 or re.fullmatch(r"\d+,\d{1,2}", t):  # European: dots group, a comma is the decimal mark
        t = t.replace(".", "").replace(",", ".")
    else:
        t = t.replace(",", "")
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


# --------------------------------------------------------------------------- number words
SMALL = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
TENS = {w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())}
WORD_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_MULTIPLIERS = {"hundred": 100, "dozen": 12}

_W = "|".join(sorted([*SMALL, *TENS, *WORD_SCALES, *_MULTIPLIERS], key=len, reverse=True))
#: A run of number words ("seven hundred and fifty", "twenty-five"), case-insensitive.
_AFTER_SCALE = "(?:(?<=hundred)|(?<=thousand)|(?<=million)|(?<=billion)|(?<=trillion))"
NUMBER_WORDS = rf"(?i:\b(?:{_W})(?:(?:{_AFTER_SCALE}{SP}+and{SP}+|{SP}+|-)(?:{_W})){{0,15}}\b)"  # bounded run


def parse_number_words(s: str) -> Decimal | None:
    """Value of a run of number words, or ``None`` when the run is not one number.

    ``"seven hundred and fifty"`` -> 750, ``"two million"`` -> 2000000,
    ``"three dozen"`` -> 36; ``"one two"`` or ``"nineteen eighty-four"`` -> None.
    """
    tokens = [t for t in s.lower().replace("-", " ").split() if t != "and"]
    total, cur, last = 0, 0, ""
    for tok in tokens:
        if tok in SMALL:
            if last in ("small", "tens") and not (last == "tens" and 0 < SMALL[tok] < 10):
                return None
            cur += SMALL[tok]
            last = "small"
        elif tok in TENS:
            if last in ("small", "tens"):
                return None
            cur += TENS[tok]
            last = "tens"
        elif tok in _MULTIPLIERS:
            if last == "mult":
                return None
            cur = (cur or 1) * _MULTIPLIERS[tok]
            last = "mult"
        elif tok in WORD_SCALES:
            total += (cur or 1) * WORD_SCALES[tok]
            cur, last = 0, "scale"
        else:
            return None
    return Decimal(total + cur) if tokens else None


# --------------------------------------------------------------------------- scales
#: Scale words that may follow a number after a space ("5 million", "2.1 bn").
SCALE_WORDS: dict[str, int] = {
    "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12,
    "bn": 10**9, "bln": 10**9, "mn": 10**6, "mln": 10**6, "tn": 10**12, "trn": 10**12,
    "lakh": 10**5, "lakhs": 10**5, "lac": 10**5, "lacs": 10**5, "crore": 10**7, "crores": 10**7,
    "lakh crore": 10**12, "dozen": 12,
}
SCALE_WORD_RE = rf"(?i:lakh{SP}+crore|thousand|million|billion|trillion|bln|bn|mln|mn|trn|tn|lakhs?|lacs?|crores?|dozen)"
#: Scale letters glued to a numeral ("$5m", "3bn", "1.5k"); "m" without a currency may be metres.
GLUED_SCALES: dict[str, int] = {"k": 10**3, "K": 10**3, "m": 10**6, "M": 10**6, "b": 10**9, "B": 10**9}


def scale_value(word: str) -> int:
    """Multiplier of a scale word or glued letter (``1`` when unknown)."""
    if word in GLUED_SCALES:
        return GLUED_SCALES[word]
    key = " ".join(word.lower().split())
    return SCALE_WORDS.get(key, 1)


def to_number(d: Decimal) -> int | float:
    """``int`` when the value is whole, else a ``float`` rounded to 6 decimals."""
    if d == d.to_integral_value():
        return int(d)
    return round(float(d), 6)


# --------------------------------------------------------------------------- currencies
#: Prefix symbols and codes -> ISO 4217 (longest first when compiled).
CURRENCY_PREFIXES: dict[str, str] = {
    "US$": "USD", "U.S.$": "USD", "A$": "AUD", "AU$": "AUD", "C$": "CAD", "CA$": "CAD", "NZ$": "NZD",
    "HK$": "HKD", "S$": "SGD", "SG$": "SGD", "R$": "BRL", "MX$": "MXN", "NT$": "TWD", "CN¥": "CNY",
    "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₽": "RUB", "₴": "UAH", "₩": "KRW",
    "₺": "TRY", "₪": "ILS", "₦": "NGN", "₱": "PHP", "Rs.": "INR", "Rs": "INR", "Rp": "IDR",
}
ISO_CODES = (
    "USD EUR GBP RUB JPY CNY INR UAH CHF CAD AUD NZD HKD SGD KRW TRY ILS BRL ZAR SEK NOK DKK PLN CZK HUF "
    "RON MXN ARS SAR AED QAR EGP NGN KES PKR BDT IDR THB VND MYR PHP TWD KZT BYN GEL RMB"
).split()
CODE_ALIASES = {"RMB": "CNY"}

#: Currency names -> default ISO code (singular and plural spellings).
CURRENCY_WORDS: dict[str, str] = {
    "dollars": "USD", "dollar": "USD", "bucks": "USD", "euros": "EUR", "euro": "EUR",
    "pounds": "GBP", "pound": "GBP", "pounds sterling": "GBP", "sterling": "GBP",
    "rubles": "RUB", "ruble": "RUB", "roubles": "RUB", "rouble": "RUB", "yen": "JPY",
    "yuan": "CNY", "renminbi": "CNY", "rupees": "INR", "rupee": "INR",
    "hryvnias": "UAH", "hryvnia": "UAH", "hryvnas": "UAH", "hryvnya": "UAH", "hryvni": "UAH",
    "francs": "CHF", "franc": "CHF", "won": "KRW", "lira": "TRY", "liras": "TRY", "lire": "TRY",
    "shekels": "ILS", "shekel": "ILS", "rand": "ZAR", "zlotys": "PLN", "zloty": "PLN", "zlotych": "PLN",
    "kronor": "SEK", "krona": "SEK", "kroner": "NOK", "krone": "NOK", "koruna": "CZK", "forints": "HUF",
    "forint": "HUF", "pesos": "MXN", "peso": "MXN", "reais": "BRL", "naira": "NGN", "riyals": "SAR",
    "riyal": "SAR", "dirhams": "AED", "dirham": "AED", "ringgit": "MYR", "baht": "THB", "rupiah": "IDR",
    "tenge": "KZT", "lari": "GEL", "shillings": "KES", "cents": "USD", "cent": "USD", "pence": "GBP",
}
#: Qualifier + name -> ISO code where the qualifier changes the currency.
CURRENCY_QUALIFIED: dict[tuple[str, str], str] = {
    **{(q, "dollar"): c for q, c in [("us", "USD"), ("u.s.", "USD"), ("american", "USD"), ("canadian", "CAD"),
                                       ("australian", "AUD"), ("new zealand", "NZD"), ("hong kong", "HKD"),
                                       ("singapore", "SGD"), ("taiwan", "TWD"), ("taiwanese", "TWD")]},
    ("pakistani", "rupee"): "PKR", ("sri lankan", "rupee"): "LKR", ("indian", "rupee"): "INR",
    ("nepalese", "rupee"): "NPR", ("argentine", "peso"): "ARS", ("argentinian", "peso"): "ARS",
    ("philippine", "peso"): "PHP", ("chilean", "peso"): "CLP", ("colombian", "peso"): "COP",
    ("mexican", "peso"): "MXN", ("swiss", "franc"): "CHF", ("egyptian", "pound"): "EGP",
    ("lebanese", "pound"): "LBP", ("danish", "krone"): "DKK", ("norwegian", "krone"): "NOK",
    ("swedish", "krona"): "SEK", ("czech", "koruna"): "CZK", ("qatari", "riyal"): "QAR",
    ("moroccan", "dirham"): "MAD", ("belarusian", "ruble"): "BYN", ("south korean", "won"): "KRW",
    ("north korean", "won"): "KPW", ("euro", "cent"): "EUR", ("chinese", "yuan"): "CNY",
    ("japanese", "yen"): "JPY", ("russian", "ruble"): "RUB", ("turkish", "lira"): "TRY",
    ("south african", "rand"): "ZAR", ("brazilian", "real"): "BRL", ("ukrainian", "hryvnia"): "UAH",
}
CURRENCY_QUALIFIERS = sorted({q for q, _ in CURRENCY_QUALIFIED}, key=len, reverse=True)
#: Names whose amount is a hundredth of the currency's unit.
CURRENCY_HUNDREDTHS = {"cents", "cent", "pence"}
_SINGULAR = {"dollars": "dollar", "bucks": "dollar", "rupees": "rupee", "pesos": "peso", "francs": "franc",
             "pounds": "pound", "kroner": "krone", "kronor": "krona", "rubles": "ruble", "roubles": "ruble",
             "rouble": "ruble", "riyals": "riyal", "dirhams": "dirham", "cents": "cent", "hryvnias": "hryvnia",
             "liras": "lira", "lire": "lira", "reais": "real"}


def currency_code(name: str, qualifier: str | None = None) -> str | None:
    """ISO code for a currency name and optional qualifier ("Canadian", "dollars") -> CAD."""
    key = " ".join(name.lower().split())
    if qualifier:
        q = " ".join(qualifier.lower().split())
        hit = CURRENCY_QUALIFIED.get((q, _SINGULAR.get(key, key)))
        if hit:
            return hit
    return CURRENCY_WORDS.get(key)


# --------------------------------------------------------------------------- time and measure units
#: Time unit stem -> normalised plural unit name.
TIME_UNITS: dict[str, str] = {
    "second": "seconds", "sec": "seconds", "minute": "minutes", "min": "minutes", "hour": "hours",
    "hr": "hours", "day": "days", "week": "weeks", "month": "months", "year": "years", "yr": "years",
    "decade": "decades", "century": "centuries", "centurie": "centuries", "millennium": "millennia",
    "millennia": "millennia",
}
#: Plural or singular time unit words (regex alternation).
TIME_WORD_RE = (
    "(?i:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|yrs?|decades?|"
    "century|centuries|millenni(?:um|a))"
)


def time_unit(word: str) -> str:
    """Normalised plural name of a time unit word ("Year" -> "years")."""
    w = word.lower()
    if w in TIME_UNITS:
        return TIME_UNITS[w]
    if w.endswith("ies"):
        return "centuries"
    return TIME_UNITS.get(w[:-1] if w.endswith("s") else w, w)


#: Measure unit spelling -> normalised unit (matched case-sensitively, longest first).
MEASURE_UNITS: dict[str, str] = {
    "square kilometres": "km²", "square kilometers": "km²", "sq km": "km²", "km²": "km²", "km2": "km²",
    "square miles": "sq mi", "square metres": "m²", "square meters": "m²", "cubic metres": "m³",
    "cubic meters": "m³", "km/h": "km/h", "kph": "km/h", "mph": "mph", "km": "km", "kilometres": "km",
    "kilometers": "km", "kilometre": "km", "kilometer": "km", "miles": "miles", "mile": "miles",
    "metres": "m", "meters": "m", "metre": "m", "meter": "m", "cm": "cm", "mm": "mm", "kg": "kg",
    "kilograms": "kg", "kilogram": "kg", "kilos": "kg", "grams": "g", "tonnes": "tonnes", "tonne": "tonnes",
    "metric tons": "tonnes", "tons": "tonnes", "ton": "tonnes", "lbs": "lb", "lb": "lb", "ft": "ft", "foot": "ft",
    "feet": "ft", "litres": "l", "liters": "l", "gallons": "gallons", "barrels": "barrels", "barrel": "barrels",
    "bpd": "barrels per day", "hectares": "ha", "hectare": "ha", "ha": "ha", "acres": "acres", "acre": "acres",
    "MW": "MW", "GW": "GW", "kW": "kW", "TW": "TW", "MWh": "MWh", "GWh": "GWh", "TWh": "TWh", "kWh": "kWh",
    "°C": "°C", "ºC": "°C", "°F": "°F", "degrees Celsius": "°C", "degrees Fahrenheit": "°F",
    "degrees": "degrees", "knots": "knots", "inches": "inches", "inch": "inches",
}


def alternation(words: list[str] | set[str], *, spaced: bool = True) -> str:
    """Regex alternation of literal words, longest first, spaces matching any space-like run."""
    out = sorted(set(words), key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", SP + "+") if spaced else re.escape(w) for w in out)


# --------------------------------------------------------------------------- the scan
_MON = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_YR = r"(?:1\d|20)\d{2}"
_ORD = r"(?:st|nd|rd|th)?"
_DAY = r"[0-3]?\d"
_SMALLW = "an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty"
_TIME1 = "second|minute|hour|day|week|fortnight|month|year|decade|century"
_NUMBER_ALTS = (
    rf"(?P<vague>(?i:\b(?P<vw>tens|dozens|scores|hundreds|thousands|millions|billions)"
    rf"(?:{SP}+of{SP}+(?P<vw2>thousands|millions|billions))?(?={SP}+of\b)))"
    rf"|(?P<words>(?i:(?:\ba{SP}+(?=(?:hundred|thousand|million|billion|trillion|dozen)\b))?)(?P<wn>{NUMBER_WORDS})"
    rf"(?P<whalf>(?i:{SP}+and{SP}+a{SP}+half\b))?(?:{SP}+(?P<wscale>{SCALE_WORD_RE})\b)?)"
    rf"|(?P<num>{NUMERAL})(?:(?P<gscale>bn|mn|mln|bln|tn|trn|[kKmMbB])(?![A-Za-z])|{SP}*(?P<sscale>{SCALE_WORD_RE})\b)?"
)
SCAN_RE = re.compile(
    rf"(?P<iso>\b(?P<iso_y>{_YR})-(?P<iso_m>[01]\d)-(?P<iso_d>[0-3]\d)\b)"
    rf"|(?P<ndate>\b(?P<nd_a>{_DAY})(?P<nd_s>[/.])(?P<nd_b>{_DAY})(?P=nd_s)(?P<nd_y>{_YR})\b)"
    rf"|(?P<mdy>\b(?P<mdy_m>{_MON})\.?{SP}+(?P<mdy_d>{_DAY}){_ORD}(?:{SP}*{DASH}{SP}*(?P<mdy_d2>{_DAY}){_ORD})?(?![\d:])"
    rf"(?:,?{SP}+(?P<mdy_y>{_YR})(?!\d))?)"
    rf"|(?P<dmy>\b(?P<dmy_d>{_DAY}){_ORD}(?:{SP}*{DASH}{SP}*(?P<dmy_d2>{_DAY}){_ORD})?{SP}+(?:of{SP}+)?"
    rf"(?P<dmy_m>{_MON})\b\.?(?:,?{SP}+(?P<dmy_y>{_YR})(?!\d))?)"
    rf"|(?P<my>\b(?P<my_m>{_MON})\.?,?{SP}+(?P<my_y>{_YR})(?!\d))"
    r"|(?P<mask>https?://\S+|www\.\S+"
    r"|\+\d{1,3}(?:[ ().-]*\d){6,}|\(\d{2,5}\)(?:[ -]?\d){5,}"
    r"|\b0\d{2,4}[ .-]\d{3,4}[ .-]\d{3,4}\b|\b\d{3}[-.]\d{3}[-.]\d{4}\b"
    rf"|\b\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?:{SP}?(?i:[ap]\.?m\b\.?))?|\b\d{{1,2}}{SP}?(?i:a\.m\.|p\.m\.|am\b|pm\b)"
    r"|[#@]\w+|(?i:\bno\.|\bnr\.|№)" + SP + r"*\d+"
    r"|\b(?!\d{1,3}(?:\.\d{3}){2,}(?![.\d]))\d+(?:\.\d+){2,}|\b\d+/\d+\b)"
    r"|(?P<decade>\b(?P<dec_y>1[5-9]\d0|20\d0)s\b|['’](?P<dec_s>\d0)s\b)"
    rf"|(?P<rel>(?i:\b(?P<rel_dx>last|next|this){SP}+year\b"
    rf"|\bthe{SP}+(?P<rel_tx>previous|prior|following|next){SP}+year\b"
    rf"|\bthe{SP}+year{SP}+(?P<rel_yx>before|after)(?!{SP}*[\w(])"
    rf"|\b(?P<rel_n>{_SMALLW}|\d{{1,3}}){SP}+(?P<rel_u>years?|decades?){SP}+"
    rf"(?P<rel_dir>earlier|later|ago|previously|before(?!{SP}*[\w(])|after(?!{SP}*[\w(]))))"
    rf"|(?P<half>(?i:\bhalf{SP}+an?{SP}+(?P<half_u>{_TIME1}|dozen|hundred|thousand|million|billion|trillion"
    rf"|percentage{SP}+point)\b))"
    rf"|(?P<aand>(?i:\b(?:an?|one){SP}+(?P<aand_u>{_TIME1}){SP}+and{SP}+a{SP}+half\b))"
    rf"|(?P<qmil>(?i:\ba{SP}+quarter{SP}+of{SP}+an?{SP}+(?P<qmil_u>thousand|million|billion|trillion)\b))"
    rf"|(?P<aunit>(?i:\ban?{SP}+(?P<aunit_u>{_TIME1})\b))"
    rf"|(?P<ratio>(?i:\b(?P<ra>one|two|three|four|five|six|seven|eight|nine|\d{{1,3}})"
    rf"{SP}+(?:in|out{SP}+of){SP}+(?P<rb>two|three|four|five|six|seven|eight|nine|ten|twenty|a{SP}+hundred|\d{{1,4}})\b))"
    rf"|(?P<frac>(?i:\b(?P<fw>half|(?:a|one){SP}+(?:third|quarter|fifth|tenth)"
    rf"|(?:two|three|four){DASH}?{SP}*(?:thirds|quarters|fifths))\b(?P<frac_of>(?={SP}+(?:of|the|its|their|all)\b))?))"
    rf"|{_NUMBER_ALTS}"
)
NUMBER_RE = re.compile(_NUMBER_ALTS)
#: Where a scan match can start: a cheap pre-filter so the big pattern runs at few positions.
_TRIGGER_WORDS = [*SMALL, *TENS, *WORD_SCALES, "hundred", "dozen", "https", "http", "www", "no", "nr", "last",
                  "next", "this", "the", "a", "an", "half", "tens", "dozens", "scores", "hundreds", "thousands",
                  "millions", "billions"]
TRIGGER_RE = re.compile(
    r"(?<!\d)\d|[#@№]|[.(+'’](?=\d)|(?<![A-Za-z])(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r"|(?<![A-Za-z])(?=["
    + "".join(sorted({c for w in _TRIGGER_WORDS for c in (w[0].lower(), w[0].upper())}))
    + "])(?:"
    + "|".join(f"[{w[0].upper()}{w[0]}]{re.escape(w[1:])}" if w.islower() else re.escape(w)
               for w in sorted(set(_TRIGGER_WORDS), key=len, reverse=True))
    + r")(?![A-Za-z])"
)

# --------------------------------------------------------------------------- context patterns and word lists
_PREFIX_MULTI = [k for k in CURRENCY_PREFIXES if len(k) > 1 and not k.startswith(("₹", "€"))] + ISO_CODES
_CUR_PREFIX = rf"(?:(?<![A-Za-z])(?P<cur>{alternation(_PREFIX_MULTI)})|(?P<sym>[$€£¥₹₽₴₩₺₪₦₱]))"
CUR_PREFIX_RE = re.compile(_CUR_PREFIX + SP + "?$")
CUR_FWD_RE = re.compile(_CUR_PREFIX + SP + "?")
_MODS = {
    "approx": ["about", "around", "roughly", "approximately", "approx.", "some", "an estimated", "estimated",
               "circa", "c.", "close to", "more or less", "around about", "an approximate", "~", "≈"],
    "lower": ["more than", "over", "at least", "above", "in excess of", "upwards of", "exceeding", "a minimum of",
              "no fewer than", "no less than", "not less than", "well over", "well above", "beyond"],
    "upper": ["fewer than", "less than", "under", "below", "up to", "as many as", "as much as", "as high as",
              "no more than", "not more than", "at most", "a maximum of", "well under", "well below"],
    "near_upper": ["nearly", "almost", "just under", "just below", "slightly less than", "a little under",
                   "just shy of", "nearly half of"],
    "near_lower": ["just over", "just above", "slightly more than", "a little over", "just more than"],
}
MOD_KIND = {w: k for k, ws in _MODS.items() for w in ws}
#: Last words of the modifiers: a cheap check before running ``MOD_RE``.
MOD_LAST = {w.split()[-1].lower() for w in MOD_KIND}
MOD_RE = re.compile(rf"(?i:(?<![\w.])(?P<mod>{alternation(MOD_KIND)})){SP}*$")
BY_OF_RE = re.compile(rf"(?i:\b(?:by|of){SP}+(?:(?:{alternation(MOD_KIND)}){SP}+)?)$")  # "rose by a fifth"
MINUS_RE = re.compile(rf"(?i:\bminus){SP}+$")
BETWEEN_RE = re.compile(rf"(?i:\b(?P<bw>between|from)){SP}+$")
CHANGE_RE = re.compile(
    rf"(?i:\b(?:ros[ea]|rises?|rising|risen|fell|fall(?:s|ing|en)?|increas\w*|decreas\w*|grew|grow\w*|dropp?\w*|"
    rf"jump\w*|climb\w*|declin\w*|sli[dp]\w*|surg\w*|soar\w*|plunged?|plummet\w*|cut|rais\w*|went|gone|mov\w*|"
    rf"shrank|expand\w*|widen\w*|narrow\w*|doubled|tripled|halved|swell\w*|balloon\w*|up|down|slashed|boosted)"
    rf"(?:{SP}+\S+){{0,2}}{SP}+from{SP}*)$"
)
_CUR_WORDS = alternation(CURRENCY_WORDS)
SUFFIX_RE = re.compile(
    rf"(?P<pct>{SP}?(?:%|％|(?i:per{SP}?cent|percent|per-cent|pct|pc)(?![a-z])))"
    rf"|(?P<ppt>{SP}*(?i:percentage{SP}+points?|pp|ppts?)(?![a-z]))"
    rf"|(?P<bp>{SP}+(?i:basis{SP}+points?|bps?)(?![a-z]))"
    rf"|{SP}*(?:(?P<cq>(?i:{alternation(CURRENCY_QUALIFIERS)})){SP}+)?(?P<cw>(?i:{_CUR_WORDS}))(?![a-z])"
    rf"|{SP}*(?P<code>{alternation(ISO_CODES)})(?![A-Za-z])"
    rf"|(?P<tdash>{DASH}(?P<tu1>(?i:{_TIME1}))(?P<old>{DASH}(?i:old))?)(?![a-z])"
    rf"|{DASH}(?P<mu2>(?i:kilometre|kilometer|km|metre|meter|mile|tonne|ton|kg|litre|liter|foot|acre|hectare))(?![a-z])"
    rf"|{SP}*(?P<tu2>{TIME_WORD_RE})(?![a-z])"
    rf"|{SP}*(?P<mu>{alternation(MEASURE_UNITS)})(?![A-Za-z])"
    r"|(?P<pence>p)(?![A-Za-z])"
)
RIGHT_MOD_RE = re.compile(
    rf"(?:{SP}+(?i:or{SP}+(?P<rm>so|more|above|over|fewer|less|under|below)|and{SP}+(?P<rm2>counting|rising|up|above|more))"
    rf"|(?P<plus>{DASH}?(?i:plus)|\+))(?![A-Za-z])"
)
CONN_RE = re.compile(rf"{SP}*(?P<dash>{DASH}){SP}*|{SP}+(?P<word>(?i:to|and)){SP}+")
_ADJ = ("new more other additional extra further young old armed local foreign elderly small large big major senior "
        "former civilian innocent unarmed registered eligible active confirmed suspected reported separate "
        "different individual unique full-time part-time").split()
NOUN_RE = re.compile(rf"{SP}+(?:(?P<adj>{alternation(_ADJ)}){SP}+)?(?P<noun>[A-Za-z][a-z]+(?:-[a-z]+)*)(?![\w'’-])")
OF_RE = re.compile(rf"{SP}+(?i:of){SP}+(?:(?i:the|these|those|their|its|his|her|our|all|a|an){SP}+)?")
IN_RE = re.compile(rf"{SP}+in{SP}+")
WORD_RE = re.compile(rf"(?P<w1>[a-z][\w'’-]*|[A-Z]{{2,}}s?)(?:{SP}+(?P<w2>[a-z][\w-]*))?(?![\w'’-])")
PART_RE = re.compile(
    rf"{SP}+(?:(?:were|was|are|is|have{SP}+been|has{SP}+been|had{SP}+been|have|has|had|been|got|remain|remained|remains)"
    rf"{SP}+)?(?:(?:reportedly|also|still|already|now|later|allegedly|all|subsequently|officially){SP}+)?"
    r"(?P<pp>[a-z]{3,}ed|taken|given|driven|beaten|chosen|hidden|stolen|written|broken|fallen|shown|thrown|known|grown|"
    r"drawn|flown|sworn|fled|hurt|held|lost|shot|struck|hit|sold|built|made|kept|sent|born|caught|died|left)\b"
)
OF_SUBJ_RE = re.compile(rf"(?<![\w'’-])(?P<subj>[A-Za-z][\w'’-]*){SP}+of{SP}*$")
VERB_SUBJ_RE = re.compile(
    rf"(?<![\w'’-])(?P<subj>[A-Za-z][\w'’-]*(?:{SP}+[A-Za-z][\w'’-]*)?)(?:{SP}+of{SP}+(?:the{SP}+)?[\w'’-]+)?{SP}+"
    rf"(?:(?i:has|had|have|was|is|were|are|will|would|could|may|might){SP}+)?(?:(?i:been|be){SP}+)?"
    rf"(?P<verb>(?i:rose|rises|rising|risen|fell|falls|fallen|grew|grows|dropped|drops|jumped|climbed|declined|"
    rf"slipped|reached|reaches|hit|hits|totalled|totaled|totals|total|stood|stands|was|is|were|are|worth|valued|"
    rf"came{SP}+in))(?:{SP}+(?i:at|by|to|of|around|about|some|roughly|nearly|almost|in))*{SP}*$"
)
PREV_RE = re.compile(rf"(?<![\w'’.-])(?P<w>[A-Za-z][\w'’]*\.?){SP}+$")
GLUED_PREFIX_RE = re.compile(r"(?<![A-Za-z])(?P<w>mid|early|late|pre|post)[-\u2010\u2011]$", re.I)

STOP = set(
    "the a an and or but of to in on at for by from with as than that this these those which who whom whose when "
    "where while since after before during until per percent is was were are be been being has had have will would "
    "could should can may might must shall do does did not no it its their his her our your my they he she we you i "
    "more less fewer each every all both some many much few so if then there here also only just about around over "
    "under into onto out up down off between among against said says say according ago earlier later last next "
    "them us him me times time year years people's another such what how why yet still again".split()
)
DETERMINERS = {"the", "a", "an", "its", "their", "his", "her", "our", "this", "that", "these", "those", "some"}
FUNCTION_CAPS = STOP | set(MOD_KIND) | {"estimated", "nearly", "almost", "roughly", "approximately", "mid",
                                        "early", "late", "spring", "summer", "autumn", "fall", "winter", "only"}
NAME_NOUNS = set(
    "article section chapter paragraph clause resolution amendment page room flight route highway interstate level "
    "phase stage category item episode season version model gate platform line bus district ward grade class rank "
    "number vol volume issue figure table exhibit lot unit apartment block building channel division tier round "
    "game act title rule step track lane pier terminal sector zone no nr".split()
)
YEAR_PREPS = {"in", "since", "by", "until", "till", "during", "before", "after", "through", "from", "between", "the",
              "early", "late", "mid", "circa", "spring", "summer", "autumn", "fall", "winter"}
YEAR_NOUNS = set(
    "olympics games election elections midterms budget census season campaign world cup summit report survey war "
    "crisis championship championships tournament protests floods figures data levels results vote referendum "
    "edition model models film law agreement accord".split()
)
WEEKDAYS_MONTHS = set("monday tuesday wednesday thursday friday saturday sunday january february march april may june "
                      "july august september october november december".split())
#: Fraction words -> percent ("two-thirds" multiplies by the leading number word).
FRAC = {"half": 50, "third": 100 / 3, "quarter": 25, "fifth": 20, "tenth": 10, "thirds": 100 / 3, "quarters": 25,
        "fifths": 20}
#: Plural vague amounts -> their unit; "dozens of" implies at least two dozen.
VAGUE = {"tens": 10, "dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1000, "millions": 10**6,
         "billions": 10**9}
SMALL_RE_VALUES = {**SMALL, **TENS, "a": 1, "an": 1, "a hundred": 100}


# --------------------------------------------------------------------------- small parsers
def date_parts(m: re.Match[str], g: str) -> tuple[int | None, int, int | None, int | None] | None:
    """(year, month, day, day2) of a date match of ``SCAN_RE`` group ``g``; None when not a calendar date."""
    d = d2 = None
    if g == "iso":
        y, mo, d = int(m.group("iso_y")), int(m.group("iso_m")), int(m.group("iso_d"))
    elif g == "ndate":
        a, b, y = int(m.group("nd_a")), int(m.group("nd_b")), int(m.group("nd_y"))
        mo, d = (b, a) if (a > 12 or m.group("nd_s") == ".") else (a, b)  # dots: day first; slashes: US unless day > 12
    else:
        mo = MONTHS[m.group(g + "_m")[:3].lower()]
        y = int(m.group(g + "_y")) if m.group(g + "_y") else None
        if g != "my":
            d = int(m.group(g + "_d"))
            d2 = int(m.group(g + "_d2")) if m.group(g + "_d2") else None
    if not 1 <= mo <= 12 or (d is not None and not 1 <= d <= 31) or (d2 is not None and not (d or 0) < d2 <= 31):
        return None
    return y, mo, d, d2


def iso_date(y: int | None, mo: int, d: int | None) -> str:
    """ISO 8601 text: "2022-03-03", "2015-03", or "--06-15" / "--06" without a year."""
    if d is None:
        return f"{y:04d}-{mo:02d}" if y else f"--{mo:02d}"
    return f"{y:04d}-{mo:02d}-{d:02d}" if y else f"--{mo:02d}-{d:02d}"


def small_value(s: str) -> int | None:
    """Value of a small number written in digits or words ("12", "nine", "a hundred")."""
    s = " ".join(s.lower().split())
    return int(s) if s.isdigit() else SMALL_RE_VALUES.get(s)


def is_counted_noun(w: str) -> bool:
    """Whether a word after a number can be what is counted ("people", "Ukrainians"; not "were", "two")."""
    lw = w.lower()
    if lw in STOP or lw in WEEKDAYS_MONTHS or lw in SMALL or lw in TENS or lw in WORD_SCALES:
        return False
    if lw.split("-")[0] in SMALL or lw.split("-")[0] in TENS or lw in ("hundred", "dozen"):
        return False
    if lw.endswith(("ly", "ed")) or (lw.endswith("ing") and not lw.endswith("ings")):
        return False
    return not w[0].isupper() or (w.endswith("s") and len(w) > 3 and w[1:].islower())
