# SPDX-License-Identifier: GPL-2.0-or-later
# Convenience front end: installs what a fresh Debian 12 machine lacks, then drives CMake/CTest.
#   make run   - build and start the demo virtual home protected by homegated
#   make test  - build (plain and ASan+UBSan) and run every test, format check and fuzz smoke

BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 5

# Debian packages the build, the tests and the lab need.
DEPS := build-essential cmake pkg-config clang libclang-rt-14-dev clang-format \
	libsqlite3-dev sqlite3 libjson-c-dev libnftables-dev libcmocka-dev libssl-dev libcurl4-openssl-dev \
	libnftnl-dev libmnl-dev libpcap-dev libqrencode-dev zlib1g-dev ieee-data hostapd wpasupplicant \
	dnsmasq-base busybox iproute2 nftables iputils-ping python3 openssl curl socat iperf3 \
	procps psmisc passwd zbar-tools

.PHONY: all deps build build-asan run test test-unit test-lab format format-check fuzz-smoke clean

all: build

deps:
	@missing=$$(for p in $(DEPS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
		grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		if [ "$$(id -u)" != 0 ]; then echo "run as root to install packages" >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	@id -u homegate >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || \
		useradd --system --no-create-home --home-dir /var/lib/homegate \
			--shell /usr/sbin/nologin homegate

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/Makefile
	cmake --build $(BUILD) -j$(JOBS)

build-asan: deps
	cmake -S . -B $(BUILD_ASAN) -DHOMEGATE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
		-DCMAKE_C_COMPILER=clang
	cmake --build $(BUILD_ASAN) -j$(JOBS)

run: build
	HOMEGATE_BUILD=$(CURDIR)/$(BUILD) scripts/demo

format-check: deps
	@bad=$$(git ls-files '*.c' '*.h' | xargs clang-format --dry-run -Werror 2>&1 | \
		grep -o '^[^:]*\.[ch]' | sort -u); \
	if [ -n "$$bad" ]; then echo "clang-format disagrees with:"; echo "$$bad"; exit 1; fi; \
	echo "format: ok"

format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

fuzz-smoke: deps
	CC=clang cmake -S . -B $(BUILD_FUZZ) -DHOMEGATE_FUZZ=ON -DHOMEGATE_SANITIZE=ON \
		-DHOMEGATE_TESTS=OFF -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang
	cmake --build $(BUILD_FUZZ) -j$(JOBS)
	scripts/fuzz-run $(BUILD_FUZZ) $(FUZZ_SECONDS)

test: build build-asan format-check
	cd $(BUILD) && ctest --output-on-failure -j1
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j1
	$(MAKE) --no-print-directory fuzz-smoke

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)
