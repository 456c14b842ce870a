# camdump: two commands on a fresh Debian 12 machine: `make demo` and `make test`.
BUILD ?= build
JOBS  ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps build demo test bench clean uboot-qemu

all: build

deps:
	@scripts/setup-deps

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/camdump demo

# The real-U-Boot suites need a qemu_arm U-Boot with tftpput and a working `go`: rebuilt from
# Debian's source once per machine and cached (scripts/build-uboot-qemu).
uboot-qemu: deps
	@scripts/build-uboot-qemu >/dev/null

test: build uboot-qemu
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

bench: build
	@scripts/run-benches $(BUILD)

clean:
	rm -rf $(BUILD)
