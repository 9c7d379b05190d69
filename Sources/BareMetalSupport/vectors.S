// The EL1 exception vector table (16 entries of 128 bytes, 2 KiB aligned). Every entry saves
// the interrupted registers in an `ExceptionFrame` on the stack and calls the Swift handler
// `loam_exception(kind, frame)`, which prints a report and halts; if it returns, the registers
// come back and the interrupted code resumes.
//
// kind: bits 1:0 the type (0 synchronous, 1 IRQ, 2 FIQ, 3 SError); bits 3:2 where from
// (0 EL1 on SP_EL0, 1 EL1 on SP_EL1, 2 a lower EL in AArch64, 3 a lower EL in AArch32).

.equ frame_bytes, 288               // x0-x30, ELR, SPSR, ESR, FAR, padding: 36 words

.macro vector_entry kind
  .balign 0x80
  sub sp, sp, #frame_bytes
  stp x0, x1, [sp, #0]
  mov x0, #\kind
  b save_and_dispatch
.endm

.section .text.vectors, "ax"
.balign 0x800
.global loam_exception_vectors
loam_exception_vectors:
  vector_entry 0
  vector_entry 1
  vector_entry 2
  vector_entry 3
  vector_entry 4
  vector_entry 5
  vector_entry 6
  vector_entry 7
  vector_entry 8
  vector_entry 9
  vector_entry 10
  vector_entry 11
  vector_entry 12
  vector_entry 13
  vector_entry 14
  vector_entry 15

save_and_dispatch:
  stp x2, x3, [sp, #16]
  stp x4, x5, [sp, #32]
  stp x6, x7, [sp, #48]
  stp x8, x9, [sp, #64]
  stp x10, x11, [sp, #80]
  stp x12, x13, [sp, #96]
  stp x14, x15, [sp, #112]
  stp x16, x17, [sp, #128]
  stp x18, x19, [sp, #144]
  stp x20, x21, [sp, #160]
  stp x22, x23, [sp, #176]
  stp x24, x25, [sp, #192]
  stp x26, x27, [sp, #208]
  stp x28, x29, [sp, #224]
  mrs x1, elr_el1
  stp x30, x1, [sp, #240]
  mrs x1, spsr_el1
  mrs x2, esr_el1
  stp x1, x2, [sp, #256]
  mrs x1, far_el1
  str x1, [sp, #272]
  mov x1, sp
  bl loam_exception
  ldp x30, x1, [sp, #240]
  msr elr_el1, x1
  ldr x1, [sp, #256]
  msr spsr_el1, x1
  ldp x2, x3, [sp, #16]
  ldp x4, x5, [sp, #32]
  ldp x6, x7, [sp, #48]
  ldp x8, x9, [sp, #64]
  ldp x10, x11, [sp, #80]
  ldp x12, x13, [sp, #96]
  ldp x14, x15, [sp, #112]
  ldp x16, x17, [sp, #128]
  ldp x18, x19, [sp, #144]
  ldp x20, x21, [sp, #160]
  ldp x22, x23, [sp, #176]
  ldp x24, x25, [sp, #192]
  ldp x26, x27, [sp, #208]
  ldp x28, x29, [sp, #224]
  ldp x0, x1, [sp, #0]
  add sp, sp, #frame_bytes
  eret
