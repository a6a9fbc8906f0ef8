# Two commands matter on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint typecheck format migrate worker gateway sandbox bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## Run the whole local stack: Temporal dev server, sandbox, worker and gateway.
run: $(STAMP)
	$(BIN)/python scripts/run_stack.py

## Run the test suite; the exit status is pytest's own.
test: $(STAMP)
	$(BIN)/python scripts/run_tests.py $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: $(STAMP)
	$(BIN)/python -m store.migrate

worker: $(STAMP)
	$(BIN)/python worker.py

gateway: $(STAMP)
	$(BIN)/uvicorn --factory api.app:create_app --host 127.0.0.1 --port 8000 --no-access-log

sandbox: $(STAMP)
	$(BIN)/python -m sandbox --port 8300

bench: $(STAMP)
	$(BIN)/python bench/bench_parse.py
	$(BIN)/python bench/bench_detection.py
	$(BIN)/python -m bench.detection

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
