# Estate Butler. `make demo` runs the whole estate (`make stop`, from another terminal, stops
# it); `make test` runs every test.
# Both create the virtual environment from pyproject.toml when it is missing or stale.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Most tests wait on processes (broker, control room, gateway, browser, kiosk window), so three
# workers, each taking whole files (module fixtures stay shared), finish in about half the time
# on 2 CPUs. `make test PYTEST_PARALLEL=` runs them one at a time.
PYTEST_PARALLEL ?= -n 3 --dist loadfile

.PHONY: demo stop test lint unit venv system-deps-test system-deps-demo clean bench-gateway \
	bench-load bench-controlroom bench-flood bench-scale kiosk-screenshots bench-kiosk locks

demo: $(STAMP) system-deps-demo
	$(BIN)/python -m launcher

# Stops the demo that var/demo.pid names (BUTLER_VAR_DIR: another var directory's).
stop:
	$(BIN)/python -m launcher stop

test: $(STAMP) system-deps-test
	$(BIN)/ruff check .
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest $(PYTEST_PARALLEL)
	@echo "--- the database tests again, on PostgreSQL (a server of the tests' own) ---"
	BUTLER_TEST_DB=postgresql $(BIN)/python -m pytest -m db $(PYTEST_PARALLEL)

# Only the tests that need no broker, browser or window.
unit: $(STAMP)
	$(BIN)/python -m pytest -m "not mosquitto and not nats and not browser and not gui" tests/config \
	  tests/gateway tests/controlroom/alarms/test_rules.py

# Benchmarks: run by hand; figures go to docs/benchmarks.md.
bench-gateway: $(STAMP) system-deps-test
	$(BIN)/python bench/gateway_bench.py

bench-load: $(STAMP) system-deps-test
	$(BIN)/python bench/load_broker.py

bench-controlroom: $(STAMP) system-deps-test
	$(BIN)/python bench/controlroom_bench.py

# Every detector and button of a site alarms at once (demo site, 10,000 devices; SQLite and
# PostgreSQL): first publish to last alert on the SSE stream, beside a bare MQTT subscriber.
bench-flood: $(STAMP) system-deps-test
	$(BIN)/python bench/flood_bench.py

# 50,000 devices across 2 gateway replicas on a 3-node NATS cluster (≈ 20 min).
bench-scale: $(STAMP) system-deps-test
	$(BIN)/python bench/scale_bench.py

# The kiosk under a virtual screen: every screen, both languages and orientations, into
# docs/kiosk/; and its cold start and tap-to-screen latency (figures in docs/benchmarks.md).
KIOSK_XVFB := xvfb-run -a -s "-screen 0 1920x1920x24"

kiosk-screenshots: $(STAMP) system-deps-test
	$(KIOSK_XVFB) $(BIN)/python scripts/kiosk_screenshots.py

bench-kiosk: $(STAMP) system-deps-test
	$(KIOSK_XVFB) $(BIN)/python bench/kiosk_bench.py

# The lock file of each deployable set (pyproject's extras), from the package index.
locks: $(STAMP)
	$(BIN)/python -m pip install -q uv
	cd requirements && for set in server kiosk; do \
	  ../$(BIN)/uv pip compile ../pyproject.toml --extra $$set --python-version 3.11 -q \
	    --no-header -o $$set.lock; done

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m mypy

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

system-deps-test:
	@scripts/system-deps.sh test

system-deps-demo:
	@scripts/system-deps.sh demo

clean:
	rm -rf var build *.egg-info .pytest_cache .ruff_cache
