// What Swift cannot say itself on bare metal: system registers, barriers, cache maintenance
// and the addresses the linker script defines. Each is one instruction or a short loop, so
// they are inline functions here; Loam's Swift code (module BareMetal) calls them.
#ifndef LOAM_BARE_METAL_SUPPORT_H
#define LOAM_BARE_METAL_SUPPORT_H

#include <stdint.h>

#define LOAM_READ_SYSTEM_REGISTER(name)                  \
  static inline uint64_t loam_read_##name(void) {        \
    uint64_t value;                                      \
    __asm__ volatile("mrs %0, " #name : "=r"(value));    \
    return value;                                        \
  }
#define LOAM_WRITE_SYSTEM_REGISTER(name)                 \
  static inline void loam_write_##name(uint64_t value) { \
    __asm__ volatile("msr " #name ", %0" ::"r"(value));  \
  }

LOAM_READ_SYSTEM_REGISTER(cntpct_el0)
LOAM_READ_SYSTEM_REGISTER(cntfrq_el0)
LOAM_READ_SYSTEM_REGISTER(cntp_ctl_el0)
LOAM_WRITE_SYSTEM_REGISTER(cntp_ctl_el0)
LOAM_WRITE_SYSTEM_REGISTER(cntp_cval_el0)
LOAM_READ_SYSTEM_REGISTER(currentel)
LOAM_READ_SYSTEM_REGISTER(midr_el1)
LOAM_READ_SYSTEM_REGISTER(id_aa64mmfr0_el1)
LOAM_READ_SYSTEM_REGISTER(id_aa64isar0_el1)
LOAM_READ_SYSTEM_REGISTER(sctlr_el1)
LOAM_WRITE_SYSTEM_REGISTER(sctlr_el1)
LOAM_WRITE_SYSTEM_REGISTER(mair_el1)
LOAM_WRITE_SYSTEM_REGISTER(tcr_el1)
LOAM_WRITE_SYSTEM_REGISTER(ttbr0_el1)

/// Waits until an interrupt is pending (even a masked one) or an event arrives.
static inline void loam_wait_for_interrupt(void) { __asm__ volatile("dsb sy\n wfi" ::: "memory"); }

/// Stops the core until an event; the fault report's last instruction.
static inline void loam_halt_core(void) { __asm__ volatile("wfe" ::: "memory"); }

/// Orders every earlier memory access before every later one, device memory included.
static inline void loam_data_synchronization_barrier(void) { __asm__ volatile("dsb sy" ::: "memory"); }

/// Orders memory accesses, normal and device, as other observers (a DMA device) see them.
static inline void loam_data_memory_barrier(void) { __asm__ volatile("dmb sy" ::: "memory"); }

/// Makes earlier system register writes take effect before the next instruction.
static inline void loam_instruction_barrier(void) { __asm__ volatile("isb" ::: "memory"); }

/// Drops every EL1 translation cached in the TLBs.
static inline void loam_invalidate_tlbs(void) {
  __asm__ volatile("tlbi vmalle1\n dsb ish\n isb" ::: "memory");
}

/// Drops every instruction cache line.
static inline void loam_invalidate_instruction_cache(void) {
  __asm__ volatile("ic iallu\n dsb ish\n isb" ::: "memory");
}

/// Writes the data cache lines covering [start, start + length) out to memory and drops them,
/// so that a device that reads or writes memory behind the caches (the VideoCore's mailbox)
/// sees what the ARM wrote, and the ARM then reads what the device wrote.
static inline void loam_clean_and_invalidate_data_cache_range(uintptr_t start, uintptr_t length) {
  uint64_t cacheType;
  __asm__ volatile("mrs %0, ctr_el0" : "=r"(cacheType));
  uintptr_t line = (uintptr_t)4 << ((cacheType >> 16) & 0xF);  // CTR_EL0.DminLine, in words
  for (uintptr_t address = start & ~(line - 1); address < start + length; address += line) {
    __asm__ volatile("dc civac, %0" ::"r"(address) : "memory");
  }
  __asm__ volatile("dsb sy" ::: "memory");
}

/// A random number from the CPU (ARMv8.5 RNDR), or 0 with *ok false when it had no entropy.
/// Only call it when ID_AA64ISAR0_EL1.RNDR says the instruction exists.
static inline uint64_t loam_read_random_number(int *ok) {
  uint64_t value;
  uint64_t nzcv;
  __asm__ volatile("mrs %0, s3_3_c2_c4_0\n mrs %1, nzcv" : "=r"(value), "=r"(nzcv));
  *ok = (nzcv & (1u << 30)) == 0;  // Z set means no entropy this time
  return value;
}

/// Invalidates the data and unified caches by set and way, level by level, without writing
/// anything back: what the boot code does before the MMU and caches are on, so that no stale
/// line from before reset is ever hit. Defined in cache.c.
void loam_invalidate_data_caches(void);

/// Addresses from the board's linker script.
extern char __heap_start[], __heap_end[];
extern char __translation_tables[], __translation_tables_end[];
extern char __image_start[], __image_end[];

/// The heap: from the end of the image's data to the stack's guard.
static inline uintptr_t loam_heap_start(void) { return (uintptr_t)__heap_start; }
static inline uintptr_t loam_heap_end(void) { return (uintptr_t)__heap_end; }
/// The page-aligned area set aside for translation tables.
static inline uintptr_t loam_translation_tables_start(void) { return (uintptr_t)__translation_tables; }
static inline uintptr_t loam_translation_tables_end(void) { return (uintptr_t)__translation_tables_end; }
/// The loaded image: code, data and .bss.
static inline uintptr_t loam_image_start(void) { return (uintptr_t)__image_start; }
static inline uintptr_t loam_image_end(void) { return (uintptr_t)__image_end; }

#endif
