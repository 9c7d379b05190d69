# Loam's front door. `make run` and `make test` are the whole set-up on a fresh Debian machine
# with the Swift toolchain; every other target is listed by `make help`.

SWIFT ?= swift
FUZZ_SECONDS ?= 60
PORT ?= 8080

.PHONY: help deps build release run simulate-week test unit-tests embedded-check unikernels image \
	flash lint format fuzz bench clean

help: ## Lists the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 18

deps: ## Installs missing system packages (apt-get as root; otherwise prints the command).
	@scripts/deps all

build: ## Builds every module, executable and test (debug).
	$(SWIFT) build --build-tests

release: ## Builds the executables optimised.
	scripts/build-release hub appliance ethernet-switch bench-httpd

run: release ## Runs the hub on http://127.0.0.1:$(PORT) and two simulated appliances on Loam's own TCP/IP (UNIKERNEL=1: and a qemu-virt unikernel).
	@if [ -n "$(UNIKERNEL)" ]; then scripts/deps test && scripts/build-unikernel qemu-virt; fi
	@scripts/run --port $(PORT) $(if $(UNIKERNEL),--unikernel)

simulate-week: release ## Runs a simulated week of a plant pot and a fridge in about 35 s; the dashboard shows it.
	@scripts/simulate-week --port $(PORT)

test: ## Installs what is missing, builds, and runs every check and test.
	@scripts/deps test
	$(MAKE) lint
	$(MAKE) embedded-check
	scripts/embedded-check-selftest
	$(MAKE) build
	$(MAKE) unikernels
	$(SWIFT) test --skip-build --disable-swift-testing

embedded-check: ## Compiles every core module as Embedded Swift for aarch64-none-none-elf.
	@scripts/embedded-check

unikernels: ## Builds the bare-metal images of every board into Images/out/ (tests boot them in QEMU).
	scripts/build-unikernels

image: ## SD-card image: make image BOARD=rpi3b|rpi4b APP=plant-pot|fridge [NAME= HUB= FIRMWARE=DIR]; Images/README.md.
	scripts/build-release loam-image
	FIRMWARE="$(FIRMWARE)" NAME="$(NAME)" HUB="$(HUB)" RELEASE_DATE="$(RELEASE_DATE)" \
	  IMAGE_URL_BASE="$(IMAGE_URL_BASE)" scripts/image "$(BOARD)" "$(APP)"

flash: ## Writes and verifies an image: make flash IMAGE=Images/out/X.img DEVICE=/dev/sdX [YES=1].
	scripts/build-release loam-image
	scripts/flash $(if $(YES),--yes) $(if $(ALLOW_NON_REMOVABLE),--allow-non-removable) \
	  "$(IMAGE)" "$(DEVICE)"

lint: ## Checks formatting and style with the toolchain's swift-format.
	$(SWIFT) format lint --strict --parallel --recursive Package.swift Sources Tests Boards fuzz

format: ## Rewrites sources in the house format.
	$(SWIFT) format --in-place --parallel --recursive Package.swift Sources Tests Boards fuzz

fuzz: ## Runs each libFuzzer target for FUZZ_SECONDS (default 60).
	scripts/fuzz json $(FUZZ_SECONDS)
	scripts/fuzz http $(FUZZ_SECONDS)
	scripts/fuzz tcp $(FUZZ_SECONDS)
	scripts/fuzz frame $(FUZZ_SECONDS)

bench: release ## The hub against nginx, Loam's TCP/IP against lwIP and the kernel, the unikernel against the process; see BENCHMARKS.md.
	@scripts/deps bench
	scripts/bench
	scripts/bench-stack
	$(MAKE) unikernels
	scripts/bench-unikernel

clean: ## Removes build products and local run data.
	rm -rf .build .build-embedded .build-fuzz .loam-run Images/out
