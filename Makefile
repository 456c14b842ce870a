# camdump: two commands on a fresh Debian 12 machine: `make demo` and `make test`.
BUILD ?= build
JOBS  ?= $(shell nproc)
CMAKE_FLAGS ?=
# Warnings are errors in the build `make` configures, hence in `make test` and CI (cmake/warnings.cmake);
# a plain `cmake -S . -B dir` leaves them warnings (other compilers may warn about more). WERROR=OFF to relax.
WERROR ?= ON

PREFIX ?= /usr/local

.PHONY: all deps test-deps build demo test fuzz sanitize bench clean uboot-qemu install deb format tidy

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

test: test-deps build uboot-qemu
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

# Every fuzz target for FUZZ_SECONDS with a fresh seed (the `fuzz` tests in `make test` use a fixed
# seed and a short run). Inputs that crash or exhaust memory are left in $(BUILD)/fuzz-found/TARGET
# for you to fix and add to fuzz/corpus/TARGET; new coverage goes to a scratch directory.
FUZZ_SECONDS ?= 120
fuzz: build
	scripts/run-fuzz $(BUILD) $(FUZZ_SECONDS)

# The unit and virtual-camera suites under ASan+UBSan, and the tests that run threads (TFTP server
# and inbox, parallel hexlog, the shell route's inbox, the stub reader, the TCP/telnet transports)
# under TSan, each in its own build directory with only the targets they need (scripts/ci-sanitize:
# fails on a failing test or on any sanitizer report, also from a camdump a test runs). Not yet part
# of `test`: the suites have not had a complete run under both (docs/CONTRIBUTING.md).
comma := ,
empty :=
space := $(empty) $(empty)
ASAN_LABELS ?= core uboot sim uart_sim sd offline spi ch341a image stub tftp io shell restore_ch341a restore_uboot
TSAN_LABELS ?= core io stub sim offline tftp shell
TSAN_TESTS  ?= ^(FsIdentity|TcpTransport|TelnetTransport|StubSim|SimTftpput|HexlogParallel|HexlogCli|Tftp[A-Za-z]*|DumpTftp[A-Za-z]*|ShellRoute)[./]
sanitize: test-deps
	scripts/ci-sanitize $(BUILD)-asan address,undefined $(JOBS) $(subst $(space),$(comma),$(strip $(ASAN_LABELS)))
	scripts/ci-sanitize $(BUILD)-tsan thread $(JOBS) $(subst $(space),$(comma),$(strip $(TSAN_LABELS))) '$(TSAN_TESTS)'

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
