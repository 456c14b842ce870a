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

# The real-U-Boot suites need U-Boots rebuilt from Debian's source once per machine and cached
# (scripts/build-uboot-qemu): qemu_arm with tftpput and a working `go`, and sabrelite and
# ast2500 with a real `sf` on an emulated SPI NOR (tests/qemu_sf). One board at a time (-j2 each).
UBOOT_BOARDS ?= qemu_arm sabrelite ast2500
uboot-qemu: deps
	@for b in $(UBOOT_BOARDS); do scripts/build-uboot-qemu $$b >/dev/null || exit 1; done

test: build uboot-qemu
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900

bench: build
	@scripts/run-benches $(BUILD)

clean:
	rm -rf $(BUILD)
