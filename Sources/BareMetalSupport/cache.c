#include "BareMetalSupport.h"

void loam_invalidate_data_caches(void) {
  uint64_t levels;
  __asm__ volatile("mrs %0, clidr_el1" : "=r"(levels));
  // CLIDR_EL1.LoC (bits 26:24): the levels that need maintenance to the point of coherency.
  unsigned coherencyLevels = (levels >> 24) & 7;
  for (unsigned level = 0; level < coherencyLevels; level++) {
    unsigned type = (levels >> (3 * level)) & 7;
    if (type < 2) continue;  // no data or unified cache at this level
    uint64_t sizes;
    __asm__ volatile("msr csselr_el1, %0\n isb\n mrs %1, ccsidr_el1"
                     : "=r"(sizes) : "r"((uint64_t)level << 1));
    unsigned lineShift = (sizes & 7) + 4;
    unsigned ways = ((sizes >> 3) & 0x3FF) + 1;
    unsigned sets = ((sizes >> 13) & 0x7FFF) + 1;
    unsigned wayShift = ways > 1 ? __builtin_clz(ways - 1) : 0;
    for (unsigned way = 0; way < ways; way++) {
      for (unsigned set = 0; set < sets; set++) {
        uint64_t operand = ((uint64_t)way << wayShift) | ((uint64_t)set << lineShift) | (level << 1);
        __asm__ volatile("dc isw, %0" ::"r"(operand) : "memory");
      }
    }
  }
  __asm__ volatile("dsb sy\n isb" ::: "memory");
}
