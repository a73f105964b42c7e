# sstpshim — see README.md. `make` builds the library and the wrapper, `make check` runs every test.
PREFIX   ?= /usr/local
DESTDIR  ?=
LIBDIR   ?= $(PREFIX)/lib/sstpshim
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man/man1
BUILD    ?= build

PKGS     := libevent_core libevent_pthreads openssl check
DEPS_OK  := $(shell pkg-config --exists $(PKGS) 2>/dev/null && echo yes)
ifneq ($(DEPS_OK),yes)
$(info sstpshim: missing build dependencies, running scripts/deps.sh)
$(shell scripts/deps.sh >&2)
endif

CC       ?= gcc
CFLAGS   ?= -O2 -g
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CPPFLAGS += -D_GNU_SOURCE -I.
ALLCFLAGS = -std=gnu11 -fPIC $(WARN) $(CPPFLAGS) $(CRYPTO_CFLAGS) $(CFLAGS)
EVENT_CFLAGS := $(shell pkg-config --cflags libevent_core)
EVENT_LIBS   := $(shell pkg-config --libs libevent_core)
# OpenSSL's headers only: proto/crypto_lazy.c loads libcrypto on first use, so nothing links it.
CRYPTO_CFLAGS := $(shell pkg-config --cflags libcrypto)
CHECK_CFLAGS := $(shell pkg-config --cflags check)
CHECK_LIBS   := $(shell pkg-config --libs check)

COMMON_SRC := $(wildcard common/*.c)
PROTO_SRC  := $(wildcard proto/*.c)
SHIM_SRC   := $(wildcard shim/*.c)
ENGINE_SRC := $(wildcard engine/*.c)
RELAY_SRC  := $(wildcard relay/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))
LIB_OBJS   := $(call obj,$(COMMON_SRC) $(PROTO_SRC) $(SHIM_SRC) $(ENGINE_SRC))

EXAMPLES   := $(patsubst examples/%.c,$(BUILD)/examples/%,$(wildcard examples/*.c))
BENCHES    := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))
PROBES     := $(patsubst tests/probes/%.c,$(BUILD)/probes/%,$(wildcard tests/probes/*.c))
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/check_*.c))
RELAY_BIN  := $(if $(RELAY_SRC),$(BUILD)/sstp-relay)

.PHONY: all check unit integration asan bench demo fuzz install format clean deps
all: $(BUILD)/libsstpshim.so $(BUILD)/sstpshim $(RELAY_BIN) $(EXAMPLES)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALLCFLAGS) $(EVENT_CFLAGS) -MMD -MP -c $< -o $@

# Only the interposed symbols are exported; everything else stays inside the library.
$(BUILD)/libsstpshim.so: $(LIB_OBJS)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -shared -Wl,-z,defs -Wl,--version-script=shim/exports.map -o $@ $^ $(EVENT_LIBS) -ldl -lpthread

$(BUILD)/sstpshim: wrapper/sstpshim.sh
	@mkdir -p $(dir $@)
	sed 's|@LIBDIR@|$(LIBDIR)|' $< > $@ && chmod +x $@

$(BUILD)/sstp-relay: $(call obj,$(RELAY_SRC) $(COMMON_SRC) $(PROTO_SRC))
	$(CC) $(LDFLAGS) -o $@ $^ $(EVENT_LIBS) -ldl -lpthread

$(BUILD)/examples/%: examples/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) $(CPPFLAGS) $(CFLAGS) -o $@ $< -lpthread

$(BUILD)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) $(CPPFLAGS) $(CFLAGS) -o $@ $< -lpthread

$(BUILD)/probes/%: tests/probes/%.c $(wildcard tests/probes/*.h)
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) $(CPPFLAGS) $(CFLAGS) -o $@ $< -lpthread

# Unit tests link the library's objects directly (no preload) so each module is tested alone.
# Their shared helpers (tests/unit/unit*.h) are static inline: a prerequisite, never linked.
UNIT_HEADERS := $(wildcard tests/unit/*.h)
$(BUILD)/tests/check_%: tests/unit/check_%.c $(call obj,$(COMMON_SRC) $(PROTO_SRC) $(ENGINE_SRC)) $(UNIT_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) $(EVENT_CFLAGS) $(CHECK_CFLAGS) -o $@ $(filter-out %.h,$^) $(EVENT_LIBS) $(CHECK_LIBS) -ldl -lpthread

# The relay's splice and GUID table alone: the relay's other objects come with a main().
$(BUILD)/tests/check_relay_splice: tests/unit/check_relay_splice.c $(call obj,relay/splice.c common/splice_step.c common/splice_pipe.c common/log.c)
$(BUILD)/tests/check_vc_table: tests/unit/check_vc_table.c $(call obj,relay/vc_table.c)
$(BUILD)/tests/check_relay_splice $(BUILD)/tests/check_vc_table: $(UNIT_HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALLCFLAGS) $(EVENT_CFLAGS) $(CHECK_CFLAGS) -o $@ $(filter-out %.h,$^) $(EVENT_LIBS) $(CHECK_LIBS) -lpthread

unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; $$t; done

integration: all $(PROBES) $(BUILD)/bench/sstp-bench
	tests/integration/run-all.sh $(BUILD)

# The same unit tests and shim scenarios built with AddressSanitizer and UBSan.
asan:
	$(MAKE) BUILD=build/asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" LDFLAGS=-fsanitize=address,undefined unit

check: all unit integration asan

# Every parser's libFuzzer target (tests/fuzz/), each run FUZZ_SECONDS from its seeds; needs clang.
FUZZ_SECONDS ?= 30
FUZZERS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
$(BUILD)/fuzz/%: tests/fuzz/%.c $(PROTO_SRC) common/num.c common/random.c tests/fuzz/fuzz_check.h
	@mkdir -p $(dir $@)
	clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		$(CPPFLAGS) $(CRYPTO_CFLAGS) -o $@ $(filter %.c,$^) -ldl -lpthread

# Targets that also exercise engine code built of pure functions.
$(BUILD)/fuzz/fuzz_proxy_auth: engine/proxy_auth.c

fuzz: $(FUZZERS)
	@set -e; for f in $(FUZZERS); do \
		n=$$(basename $$f); mkdir -p $(BUILD)/fuzz/corpus-$$n; \
		echo "== $$n ($(FUZZ_SECONDS) s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) $(BUILD)/fuzz/corpus-$$n \
			$$([ -d tests/fuzz/seeds/$$n ] && echo tests/fuzz/seeds/$$n) \
			> $(BUILD)/fuzz/$$n.log 2>&1 || { tail -40 $(BUILD)/fuzz/$$n.log; exit 1; }; \
		grep '^Done' $(BUILD)/fuzz/$$n.log; \
	done

bench: all $(BENCHES)
	bench/run.sh $(BUILD)

demo: all
	scripts/demo.sh $(BUILD)

install: all
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)
	install -m 0755 $(BUILD)/libsstpshim.so $(DESTDIR)$(LIBDIR)/libsstpshim.so
	sed 's|@LIBDIR@|$(LIBDIR)|' wrapper/sstpshim.sh > $(DESTDIR)$(BINDIR)/sstpshim
	chmod 0755 $(DESTDIR)$(BINDIR)/sstpshim
	install -m 0644 doc/sstpshim.1 $(DESTDIR)$(MANDIR)/sstpshim.1
	$(if $(RELAY_BIN),install -m 0755 $(RELAY_BIN) $(DESTDIR)$(BINDIR)/sstp-relay)

format:
	clang-format -i $(wildcard */*.c */*.h tests/*/*.c tests/*/*.h)

deps:
	scripts/deps.sh

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
