# The two commands of the README's quick start, plus their parts.
SHELL := /bin/bash
BIN_DIR ?= $(HOME)/.cargo/bin
export PATH := $(CURDIR)/.tools/bin:$(BIN_DIR):$(PATH)

.PHONY: demo test bench setup build install-bins sysroot clang-install dist

## demo: set up, build the release toolchain into build/wasit2-<version>/
## (`make dist`), compile hello.c with its wasm32-wasit2-clang and run it.
demo: dist
	build/$(DIST_NAME)/bin/wasm32-wasit2-clang -O2 examples/hello.c -o build/hello.wasm
	build/$(DIST_NAME)/bin/wasit2 run build/hello.wasm
	@echo "To use the toolchain: export PATH=$(CURDIR)/build/$(DIST_NAME)/bin:\$$PATH"

## test: set up, build the sysroots and the clang target, and run every suite
## (the C corpus runs through the installed `clang-22 --target=...-wasit2`),
## then the host's instantiation OOM test, which needs wasmtime built with
## `--cfg arc_try_new` (its own target dir keeps the main build intact;
## unoptimised dependencies build in ~2.5 instead of ~8 minutes).
test: setup build install-bins sysroot clang-install
	WASIT2=$(CURDIR)/target/debug/wasit2 cargo test --workspace --no-fail-fast
	RUSTC_BOOTSTRAP=1 RUSTFLAGS="--cfg arc_try_new" cargo test -p wasit2-host \
		--test oom_instantiate --target-dir target/oom-arc \
		--config 'profile.dev.package."*".opt-level=0' -- --include-ignored

## bench: size, build-time and throughput tables against the peer tools.
bench: setup build install-bins sysroot clang-install
	bash scripts/bench-sysroot.sh
	bash scripts/bench-wasip1.sh
	bash scripts/bench-componentize.sh
	bash scripts/bench-component64.sh
	bash scripts/bench-rust.sh
	bash scripts/bench-cxx.sh
	cargo build --release -p wasit2-cli
	bash scripts/bench-io.sh
	bash scripts/bench-startup.sh

setup:
	bash scripts/setup.sh

build:
	cargo build --workspace --bins

install-bins: build
	mkdir -p $(BIN_DIR) build
	ln -sf $(CURDIR)/target/debug/wasit2 $(BIN_DIR)/wasit2
	ln -sf $(CURDIR)/target/debug/wasit-ld $(BIN_DIR)/wasit-ld

sysroot: build
	wasit2 sysroot build

clang-install: build
	wasit2 install

## dist: a relocatable release toolchain (`wasit2 install --prefix`, laid
## out like wasi-sdk) in build/wasit2-<version>/ and a tarball of it.
## DIST_PROFILE=debug skips the release build.
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
DIST_PROFILE ?= release
DIST_NAME := wasit2-$(VERSION)
dist: setup build install-bins sysroot
	cargo build $(if $(filter release,$(DIST_PROFILE)),--release) -p wasit2-cli -p wasit-ld --bins
	rm -rf build/$(DIST_NAME)
	target/$(DIST_PROFILE)/wasit2 install --prefix build/$(DIST_NAME) \
		--sysroot build/sysroot --wasit-ld target/$(DIST_PROFILE)/wasit-ld
	tar -C build -czf build/$(DIST_NAME)-$(shell uname -m)-linux.tar.gz $(DIST_NAME)
	@echo "build/$(DIST_NAME)-$(shell uname -m)-linux.tar.gz: put build/$(DIST_NAME)/bin on PATH, then wasm32-wasit2-clang hello.c"
