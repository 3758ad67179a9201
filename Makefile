# vocflow — the two commands a newcomer needs:
#   make run    install what is missing, build, start vocflow on the embedded default
#   make test   install what is missing, build, run the whole test suite
# Everything comes from Debian 12 packages.

BUILD_DIR  ?= build
BUILD_TYPE ?= Release
JOBS       ?= $(shell nproc)

# Build and test dependencies (Debian 12 package names).
PACKAGES := g++ cmake ninja-build pkg-config make tzdata ca-certificates \
            libcaf-dev libboost-dev librocksdb-dev libyaml-cpp-dev \
            libgtest-dev libgmock-dev libbenchmark-dev \
            nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev libhowardhinnant-date-dev \
            libjemalloc-dev libssl-dev libcurl4-openssl-dev graphviz curl prometheus \
            python3-aiosmtpd nodejs npm chromium fonts-wqy-microhei \
            nats-server libnats-dev

.PHONY: all deps configure build test lint sanitize crash-cycles cluster-chaos fuzz run tour format clean

all: build

# A Node.js of 18 or later with its npm, from Debian or elsewhere (NodeSource's nodejs
# carries its own npm and conflicts with Debian's), needs neither nodejs nor npm installed.
NODE_PRESENT := $(shell command -v npm >/dev/null 2>&1 && \
                  node -e 'process.exit(parseInt(process.versions.node) < 18 ? 1 : 0)' 2>/dev/null && echo yes)

# Installs missing packages when root; otherwise prints the exact command and stops.
deps:
	@missing=$$(for p in $(PACKAGES); do \
	    case $$p in nodejs|npm) [ -n "$(NODE_PRESENT)" ] && continue;; esac; \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; \
	  done | tr '\n' ' '); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing: $$missing"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	  else \
	    echo "missing Debian packages; run as root:"; \
	    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends $$missing"; \
	    exit 1; \
	  fi; \
	fi

configure: deps
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE); \
	fi

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 600 -j $(JOBS)

# clang-tidy over vocflow's own sources with the checks in .clang-tidy; any finding fails
# (.ci/run runs it after `make test`; about 5 minutes on 2 cores).
LINT_SOURCES := '$(CURDIR)/(workflows|storage|actors|connectors|config|app)/[a-z_]+\.cpp$$'
lint: configure
	@command -v run-clang-tidy >/dev/null || $(MAKE) deps PACKAGES="clang-tidy"
	run-clang-tidy -p $(BUILD_DIR) -j $(JOBS) -quiet $(LINT_SOURCES)

# The whole test suite again, built with AddressSanitizer and UndefinedBehaviorSanitizer
# (.ci/run runs it after `make test`; about 15 minutes on 2 cores).
SANITIZE_DIR ?= build-sanitize
sanitize: deps
	@if [ ! -f $(SANITIZE_DIR)/build.ninja ]; then \
	  cmake -S . -B $(SANITIZE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="-O1 -g1" \
	    -DVOCFLOW_SANITIZE=ON -DVOCFLOW_BENCH=OFF; \
	fi
	cmake --build $(SANITIZE_DIR) -j $(JOBS)
	cd $(SANITIZE_DIR) && \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers.supp:halt_on_error=1:print_stacktrace=1 \
	  ctest --output-on-failure --timeout 900 -j $(JOBS)

# The long fault and fuzz runs recorded in bench/RESULTS.md.
crash-cycles: build
	tests/long/crash_cycles.sh 20 $(BUILD_DIR)
# Random SIGKILLs of vocflow nodes and nats-servers under load, then every history checked.
CHAOS_CYCLES ?= 20
cluster-chaos: build
	python3 tests/long/cluster_chaos.py $(CHAOS_CYCLES) $(BUILD_DIR)/app/vocflow $(CURDIR)
FUZZ_SECONDS ?= 600
fuzz:
	@command -v clang++ >/dev/null || $(MAKE) deps PACKAGES="clang"
	tests/fuzz/run.sh $(FUZZ_SECONDS)

# The five-minute tour from the README: validate, draw and simulate the example flows.
tour: build
	$(BUILD_DIR)/app/vocflow validate examples/flows/*.yaml
	$(BUILD_DIR)/app/vocflow graph examples/flows/apparel-returns.yaml --format mermaid
	$(BUILD_DIR)/app/vocflow simulate examples/flows/apparel-returns.yaml \
	  --scenario examples/scenarios/apparel-returns.yaml

# The orchestrator on the embedded default: data in ./vocflow-data, flows from examples/flows,
# config/vocflow.yaml. Ctrl-C drains and stops it.
run: build
	$(BUILD_DIR)/app/vocflow serve

format:
	@command -v clang-format >/dev/null || $(MAKE) deps PACKAGES="clang-format"
	find app workflows actors storage connectors config tests bench -name '*.[ch]pp' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
