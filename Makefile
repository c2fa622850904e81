# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SAMPLE := src/unspin/data/sample_article.txt
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo test test-slow test-all install lint bench model-techniques model-claims model-framing model-quotes clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) (Python 3.11) on PATH, or run make PYTHON=python3"; exit 2; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install --upgrade pip setuptools wheel
	$(PIP) install -e '.[test,train]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/unspin analyze $(SAMPLE) --format text
	$(BIN)/unspin analyze $(SAMPLE) --format html -o demo-report.html --quiet
	@echo "HTML report written to demo-report.html"

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

test-all: $(STAMP)
	$(BIN)/python -m pytest -q -m "slow or not slow"

# Rebuild the shipped technique model from ../shared/data (3000 steps, numpy's dropout masks): 40 minutes,
# tuning included, on 2 cores of an AMX Xeon (the shipped model's figures again; v6's recipe took 91 minutes
# on a 2.0 GHz AMX Xeon and rebuilt v6 byte for byte), with bfloat16 where
# the CPU has it natively (avx512_bf16 or AMX); elsewhere training runs in fp32 (2.98 s a step with torch's
# masks on an AVX2-only AMD EPYC, where v5's 2000 steps took about 105 minutes; there --bf16 would be
# emulated, 38 s a step).
model-techniques: $(STAMP)
	$(BIN)/unspin train techniques

# Rebuild the shipped sentence model (check-worthiness; its embeddings feed genre and framing): a 6-layer
# teacher, then the 4-layer student distilled from it (about 25 minutes on 2 free cores); then rebuild the
# genre and framing heads over it with model-framing (about 6 minutes).
model-claims: $(STAMP)
	$(BIN)/unspin train claims --out build/claims-teacher
	$(BIN)/unspin train claims --layers 4 --teacher build/claims-teacher

model-framing: $(STAMP)
	OPENBLAS_NUM_THREADS=1 $(BIN)/unspin train framing

# Rebuild the quote cue model and its cue encoder from PolNeAR train (about 35 minutes on 2 cores).
model-quotes: $(STAMP)
	$(BIN)/unspin train quotes

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

bench: $(STAMP)
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/speed.py

clean:
	rm -rf $(VENV) build src/*.egg-info demo-report.html
