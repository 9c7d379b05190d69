// Loam's unikernel entry: the first instructions after the firmware (a Raspberry Pi's
// start*.elf) or QEMU hands over. Core 0 runs Loam; the other cores wait forever.
//
// The Pi firmware enters at EL2 and QEMU's virt machine at EL1 (EL2 with virtualization=on).
// Loam runs at EL1, so from EL2 it sets up what EL1 needs and drops there. Then: FP/SIMD on
// (Swift's code uses the SIMD registers), exception vectors, the stack, a zeroed .bss, and
// `loam_main`, which turns the MMU on before any Swift code that counts references runs.

.section .text.boot, "ax"
.global _start
_start:
  mov x19, x0                       // the device tree's address, if the loader passed one
  mrs x1, mpidr_el1
  and x1, x1, #0xff
  cbnz x1, park_core
  mrs x1, CurrentEL
  lsr x1, x1, #2
  cmp x1, #2
  b.ne at_el1

  // At EL2: EL1 is AArch64 (HCR_EL2.RW), FP/SIMD and the physical timer are not trapped, the
  // virtual counter has no offset, and EL1 starts with its MMU and caches off.
  mov x1, #(1 << 31)
  msr hcr_el2, x1
  mov x1, #0x33ff
  msr cptr_el2, x1
  mov x1, #3                        // CNTHCTL_EL2: EL1PCTEN and EL1PCEN
  msr cnthctl_el2, x1
  msr cntvoff_el2, xzr
  ldr x1, =0x30d00800               // SCTLR_EL1's RES1 bits only: MMU, caches, alignment off
  msr sctlr_el1, x1
  mov x1, #0x3c5                    // SPSR: EL1 with its own stack pointer, DAIF masked
  msr spsr_el2, x1
  adr x1, at_el1
  msr elr_el2, x1
  eret

at_el1:
  mov x1, #(3 << 20)                // CPACR_EL1.FPEN: FP/SIMD at EL1 and EL0 untrapped
  msr cpacr_el1, x1
  isb
  ldr x1, =loam_exception_vectors
  msr vbar_el1, x1
  msr daifset, #0xf                 // interrupts stay masked: the poll loop waits with WFI
  isb
  ldr x1, =__stack_top
  mov sp, x1
  ldr x1, =__bss_start
  ldr x2, =__bss_end
zero_bss:
  cmp x1, x2
  b.hs bss_zeroed
  str xzr, [x1], #8
  b zero_bss
bss_zeroed:
  mov x0, x19
  bl loam_main
park_core:
  wfe
  b park_core
