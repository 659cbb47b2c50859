# ferrossl: build and test entry points. `make` builds target/ferrossl/libssl.so.3.
#
# Why a link step outside cargo: rustc hands GNU ld its own anonymous version script for a cdylib
# and ld refuses a second, named one, so the exports could not carry OPENSSL_3.0.0. We build a
# staticlib and link it here with our own version script (target/ferrossl/libssl.map, generated
# from abi/libssl.exports by abi/version-script.awk: OpenSSL's nodes OPENSSL_3.0.0 to
# OPENSSL_3.5.0, chained as in OpenSSL's libssl), which also makes every Rust and aws-lc symbol
# local.

# rustup's default location, for a toolchain that .ci/install-deps has just installed.
export PATH := $(HOME)/.cargo/bin:$(PATH)
CARGO      ?= cargo
PROFILE    ?= release
OUT        := target/ferrossl
LIB        := $(OUT)/libssl.so.3
STATIC     := target/$(PROFILE)/libferrossl.a
EXPORTS    := abi/libssl.exports
MAP        := $(OUT)/libssl.map
CARGOFLAGS := $(if $(filter release,$(PROFILE)),--release,)

.PHONY: all lib deb deps demo test bench fuzz check clean FORCE

all: lib

lib: $(LIB)

$(STATIC): FORCE
	$(CARGO) build $(CARGOFLAGS) --lib

$(MAP): $(EXPORTS) abi/version-script.awk
	@mkdir -p $(OUT)
	awk -f abi/version-script.awk $(EXPORTS) > $@

$(LIB): $(STATIC) $(MAP)
	gcc -shared -o $@ -Wl,-soname,libssl.so.3 -Wl,--version-script=$(MAP) \
	    -Wl,--whole-archive $(STATIC) -Wl,--no-whole-archive \
	    -Wl,--gc-sections -Wl,-z,relro -Wl,-z,now -Wl,--no-undefined \
	    -lcrypto -lpthread -ldl -lm -lgcc_s -lc
	ln -sf libssl.so.3 $(OUT)/libssl.so

# The Debian package target/deb/ferrossl_<version>_amd64.deb, built with dpkg-deb and checked with
# lintian (tools/deb/build; README "Installing the package").
deb: lib
	$(CARGO) build --release -p ferrossl-check
	bash tools/deb/build

# Installs the Debian packages the demo and the tests need (a no-op when they are present).
deps:
	bash .ci/install-deps

demo: deps lib
	bash c-examples/demo.sh

test: deps lib deb
	bash .ci/test

# Benchmarks side by side with OpenSSL and pure rustls (bench/README.md): a few minutes; writes
# bench/results.md and bench/results.svg. `bash bench/run.sh --smoke` is the quick CI check.
bench: lib
	bash bench/run.sh

# Fuzzes ferrossl through its C API (fuzz/README.md): each target for FUZZ_SECONDS, on nightly
# with cargo-fuzz; stops at the first crash.
FUZZ_SECONDS ?= 300
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/smoke.sh

clean:
	$(CARGO) clean
