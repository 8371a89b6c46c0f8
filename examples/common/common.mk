# Make rules shared by the C examples: RV32 bare metal with Debian's riscv64-unknown-elf-gcc.
COMMON  ?= ../common
CC      ?= riscv64-unknown-elf-gcc
ifeq ($(origin CC),default)
CC      := riscv64-unknown-elf-gcc
endif
MARCH   ?= rv32imac
# -misa-spec=2.2 keeps CSR instructions inside the base ISA so GCC picks the right libgcc multilib.
ARCHFLAGS = -march=$(MARCH) -mabi=ilp32 -misa-spec=2.2
CFLAGS  ?= -O2 -g
BASEFLAGS = $(ARCHFLAGS) -ffreestanding -fno-builtin -nostdlib -mcmodel=medany \
            -Wall -Wextra -I$(COMMON) -T $(COMMON)/link.ld -Wl,--no-warn-rwx-segments
LDLIBS  = -lgcc
# Reproducible debug info: paths relative to the build directory (the ELF's directory), comp dir ".".
PREFIXMAP = -ffile-prefix-map=$(CURDIR)=. -fdebug-prefix-map=$(CURDIR)=.
GAS_PREFIXMAP = -Wa,--debug-prefix-map=$(CURDIR)=.

# start.S is assembled on its own (into obj/) so the linker's STT_FILE symbol for it is a stable
# name: a one-step gcc build would leak the random temporary object name into the ELF.
.DEFAULT_GOAL := all
OBJ = obj
$(OBJ):
	mkdir -p $(OBJ)
