# The two commands of the README's quick start, plus their parts.
SHELL := /bin/bash
BIN_DIR ?= $(HOME)/.cargo/bin
export PATH := $(CURDIR)/.tools/bin:$(BIN_DIR):$(PATH)

.PHONY: demo test setup build install-bins sysroot clang-install

## demo: set up, build, install the tools, compile hello.c for wasm32-wasit2 and run it.
demo: setup build install-bins sysroot clang-install
	clang-22 --target=wasm32-wasit2 -O2 examples/hello.c -o build/hello.wasm
	wasit2 run build/hello.wasm

## test: set up and run the tests. The sysroot/corpus suites join once the
## libc system layer builds against the generated bindings (issue 4).
TESTED_CRATES := wasit2-abi wasit-ld wasit2-host wasit2-bindgen wasit2-componentize wasit2-bridge wasit2-hostcheck
test: setup build install-bins
	WASIT2=$(CURDIR)/target/debug/wasit2 cargo test $(addprefix -p ,$(TESTED_CRATES)) --no-fail-fast

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
