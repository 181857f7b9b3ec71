# mxsensor — GNU Make build.
#
#   make                 the mxsensor binary (in $(BUILD)/)
#   make check           set-up, then every unit and integration test
#   make check SAN=1     the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make demo            set-up, build, run the analysis on examples/
#   make bench           benchmarks against the peers (bench/README.md)
#   make fuzz            every libFuzzer harness for FUZZ_SECONDS (default 60)
#                        or FUZZ_RUNS executions each
#   make install PREFIX=/usr/local
#
# Sources are discovered: every src/<stage>/*.c is part of libmxsensor.a,
# every tests/unit/test_<module>.c is one cmocka test program, every
# tests/integration/*.sh is one integration test script.

CC       ?= cc
PREFIX   ?= /usr/local
SAN      ?= 0
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

ifeq ($(SAN),1)
BUILD    ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD    ?= build
SANFLAGS :=
endif

PKGS     := libpcap zlib sqlite3 libcares libpsl libmaxminddb json-c libsystemd
# libpq: its header only; the library is loaded when a PostgreSQL store
# is opened (src/store/store_pg.c)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) libpq 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
CFLAGS   ?= -O2 -g
ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) -Isrc \
              -DMXSENSOR_VERSION='"$(VERSION)"' $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS := $(LDFLAGS) $(SANFLAGS)
LIBS     := $(PKG_LIBS) -lm -lpthread -ldl

LIB_SRC  := $(sort $(wildcard src/*/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/src/main.o
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC := $(sort $(wildcard bench/*.c tests/tools/*.c))
TOOL_BIN := $(patsubst %.c,$(BUILD)/tools/%,$(notdir $(TOOL_SRC)))

.PHONY: all check demo bench install setup clean unit-tests tools fuzz fuzzers lab
all: $(BUILD)/mxsensor

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/libmxsensor.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/mxsensor: $(MAIN_OBJ) $(BUILD)/libmxsensor.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libmxsensor.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $< \
	    $(BUILD)/libmxsensor.a $(ALL_LDFLAGS) $(LIBS) $(shell pkg-config --libs cmocka)

$(BUILD)/tools/%: bench/%.c $(BUILD)/libmxsensor.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libmxsensor.a $(ALL_LDFLAGS) $(LIBS)

$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libmxsensor.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libmxsensor.a $(ALL_LDFLAGS) $(LIBS)

unit-tests: $(UNIT_BIN)
tools: $(TOOL_BIN)

# libFuzzer harnesses: tests/fuzz/fuzz_<parser>.c, built with clang into
# build-fuzz/ with the library instrumented for coverage (fuzzer-no-link)
FUZZ_SECONDS ?= 60
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
fuzzers: $(FUZZ_BIN)

$(BUILD)/fuzz/%: tests/fuzz/%.c $(BUILD)/libmxsensor.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer,address,undefined -o $@ $< \
	    $(BUILD)/libmxsensor.a $(ALL_LDFLAGS) $(LIBS)

fuzz: setup
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang SAN=0 \
	    CFLAGS='-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined' fuzzers
	@BUILD=build-fuzz FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_RUNS=$(FUZZ_RUNS) sh tests/fuzz/run

setup:
	@sh scripts/setup.sh

check: setup
	@$(MAKE) --no-print-directory all unit-tests tools
	@BUILD=$(BUILD) SAN=$(SAN) sh tests/run

demo: setup
	@$(MAKE) --no-print-directory all tools
	@BUILD=$(BUILD) sh scripts/demo.sh

bench: setup
	@$(MAKE) --no-print-directory all tools CFLAGS='-O2 -g'
	@BUILD=$(BUILD) sh bench/run

lab: setup
	@$(MAKE) --no-print-directory all tools
	@BUILD=$(BUILD) sh tests/lab/run

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BUILD)/mxsensor $(DESTDIR)$(PREFIX)/bin/mxsensor
	install -m 0644 docs/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/

clean:
	rm -rf build build-san build-*

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d)
