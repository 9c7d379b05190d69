// The arm64 Linux image header (the kernel's Documentation/arch/arm64/booting.rst), so that
// QEMU boots kernel8.img as it boots a Linux Image: it loads it at the start of RAM plus
// text_offset (0x40080000, where kernel.ld links it), puts the device tree in RAM and passes
// its address in x0. That is how the boot arguments (`-append`) reach the unikernel; an ELF
// given to -kernel gets no device tree from QEMU.
.section .text.header, "ax"
.global loam_image_header
loam_image_header:
  b _start                  // code0: jump over the header
  .word 0                   // code1
  .quad 0x80000             // text_offset: load 512 KiB above the start of RAM
  .quad __image_size        // image_size, .bss and translation tables included
  .quad 0                   // flags: little-endian, page size unspecified, 2 MiB placement
  .quad 0, 0, 0             // reserved
  .word 0x644d5241          // magic: "ARM\x64"
  .word 0                   // reserved (no PE/COFF header)
