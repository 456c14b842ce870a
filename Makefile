# camdump: two commands on a fresh Debian 12 machine: `make demo` and `make test`.
BUILD ?= build
JOBS  ?= $(shell nproc)
CMAKE_FLAGS ?=
# Warnings are errors in the build `make` configures, hence in `make test` and CI (cmake/warnings.cmake);
# a plain `cmake -S . -B dir` leaves them warnings (other compilers may warn about more). WERROR=OFF to relax.
WERROR ?= ON

PREFIX ?= /usr/local

.PHONY: all deps test-deps build demo test fuzz sanitize sanitize-asan sanitize-tsan bench clean uboot-qemu install deb format tidy

all: build

deps:
	@scripts/setup-deps

# The peers the tests run against (QEMU, U-Boot, TFTP clients, ser2net, flashrom, ...).
test-deps:
	@scripts/setup-deps --test

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCAMDUMP_WERROR=$(WERROR) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/camdump demo

# The real-U-Boot suites need U-Boots rebuilt from Debian's source once per machine and cached
# (scripts/build-uboot-qemu): qemu_arm with tftpput and a working `go`, and sabrelite and
# ast2500 with a real `sf` on an emulated SPI NOR (tests/qemu_sf). One board at a time (-j2 each).
UBOOT_BOARDS ?= qemu_arm sabrelite ast2500
uboot-qemu: test-deps
	@for b in $(UBOOT_BOARDS); do scripts/build-uboot-qemu $$b >/dev/null || exit 1; done

# Every suite, then the unit and virtual-camera suites once more under ASan+UBSan (built in the
# fuzzers' clang project, which already compiles every layer that way) and the tests that run
# threads under TSan (a build of their own). A failure in one part still runs the others.
test: test-deps build uboot-qemu
	@status=0; \
	(cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900) || status=1; \
	$(MAKE) --no-print-directory sanitize-asan || status=1; \
	$(MAKE) --no-print-directory sanitize-tsan || status=1; \
	exit $$status

# Every fuzz target for FUZZ_SECONDS with a fresh seed (the `fuzz` tests in `make test` use a fixed
# seed and a short run). Inputs that crash or exhaust memory are left in $(BUILD)/fuzz-found/TARGET
# for you to fix and add to fuzz/corpus/TARGET; new coverage goes to a scratch directory.
FUZZ_SECONDS ?= 120
fuzz: build
	scripts/run-fuzz $(BUILD) $(FUZZ_SECONDS)

# The sanitizer runs of `make test` (scripts/run-sanitized: a failing test or any sanitizer report,
# also from a camdump a test runs, fails them). ASan+UBSan: ASAN_SUITES, the in-process unit suites
# and the virtual camera's, in $(BUILD)/fuzz. The heavier suites that start many processes or
# build images (image, offline, stub, uart_sim, ch341a, restore_*) stay out of the default to keep
# `make test` inside CI's budget; `make sanitize` runs them all. TSan: TSAN_SUITES filtered by
# TSAN_TESTS, the tests whose code runs threads (TFTP server and inbox, parallel hexlog, the shell
# route's inbox, the stub reader, the TCP/telnet transports), in $(BUILD)-tsan (scripts/ci-sanitize).
# TftpInterop is not among them: 40 MiB through outside clients took a minute under TSan and runs
# the same server thread that TftpServerTest's parallel and lossy transfers exercise.
comma := ,
empty :=
space := $(empty) $(empty)
bar := |
ASAN_SUITES ?= core uboot spi sim sd tftp io
ASAN_ALL    := core uboot spi sim sd tftp io image offline stub uart_sim shell ch341a restore_ch341a restore_uboot
TSAN_SUITES ?= core io tftp offline shell stub
TSAN_TESTS  ?= ^(FsIdentity|TcpTransport|TelnetTransport|StubSim|HexlogParallel|HexlogCli|TftpServer[A-Za-z]*|TftpInbox|TftpdCli|TftpPacket|DumpTftp[A-Za-z]*|ShellRoute)[./]
# Tests to leave out of the sanitizer runs (a ctest -E regex), e.g. SANITIZE_EXCLUDE='^Tftp' while
# you look into a finding. None by default.
SANITIZE_EXCLUDE ?=
export SANITIZE_EXCLUDE
sanitize-asan: build
	cmake --build $(BUILD)/fuzz -j $(JOBS) --target $(ASAN_SUITES:%=test_%)
	scripts/run-sanitized asan+ubsan $(BUILD)/fuzz $(JOBS) -L '^($(subst $(space),$(bar),$(strip $(ASAN_SUITES))))$$'
sanitize-tsan: test-deps
	scripts/ci-sanitize $(BUILD)-tsan thread $(JOBS) $(subst $(space),$(comma),$(strip $(TSAN_SUITES))) '$(TSAN_TESTS)'
sanitize:
	$(MAKE) sanitize-asan ASAN_SUITES="$(ASAN_ALL)"
	$(MAKE) sanitize-tsan

bench: build
	@scripts/run-benches $(BUILD)

# The stripped binary, camdump(1), bash/zsh/fish completions, the CH341A udev rule and the docs
# under $(PREFIX) (DESTDIR is honoured). udev reads rules only from /usr/lib and /etc: with
# PREFIX=/usr/local copy lib/udev/rules.d/70-camdump-ch341a.rules to /etc/udev/rules.d/.
install: build
	cmake --install $(BUILD) --prefix $(PREFIX) --strip

# A Debian package in $(BUILD) (camdump_VERSION_ARCH.deb); install it with apt install ./FILE.deb.
deb: build
	cd $(BUILD) && cpack -G DEB

# Layout: `make format` rewrites the tracked C/C++ files with clang-format (.clang-format); the
# style test in `make test` fails naming any file that differs. `make tidy` runs clang-tidy
# (.clang-tidy: bugprone, performance, concurrency) over src/ and tests/ from a compilation
# database in $(BUILD)-tidy; it is too slow for every `make test` (minutes per core), so run it
# before sending a change. Any finding fails it.
format:
	tests/style/check-format --fix .

tidy:
	cmake -S . -B $(BUILD)-tidy -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DCAMDUMP_FUZZ=OFF $(CMAKE_FLAGS)
	run-clang-tidy -p $(BUILD)-tidy -j $(JOBS) -quiet '^$(CURDIR)/(src|tests)/'

clean:
	rm -rf $(BUILD)
