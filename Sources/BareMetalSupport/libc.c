// The few C library and compiler-support functions that Embedded Swift's code calls, written
// out for a unikernel that has no C library. Memory comes from Loam's HeapAllocator (Swift,
// module BareMetal) through loam_allocate and loam_free.
#include <stddef.h>
#include <stdint.h>

void *memset(void *destination, int value, size_t count) {
  unsigned char *bytes = destination;
  while (count--) *bytes++ = (unsigned char)value;
  return destination;
}

void *memcpy(void *restrict destination, const void *restrict source, size_t count) {
  unsigned char *to = destination;
  const unsigned char *from = source;
  while (count--) *to++ = *from++;
  return destination;
}

void *memmove(void *destination, const void *source, size_t count) {
  unsigned char *to = destination;
  const unsigned char *from = source;
  if (to < from) {
    while (count--) *to++ = *from++;
  } else {
    to += count;
    from += count;
    while (count--) *--to = *--from;
  }
  return destination;
}

int memcmp(const void *left, const void *right, size_t count) {
  const unsigned char *a = left, *b = right;
  for (; count; count--, a++, b++) {
    if (*a != *b) return *a - *b;
  }
  return 0;
}

size_t strlen(const char *string) {
  size_t length = 0;
  while (string[length]) length++;
  return length;
}

void *loam_allocate(size_t byteCount, size_t alignment);
void loam_free(void *pointer);
void loam_fill_random(void *buffer, size_t count);

int posix_memalign(void **result, size_t alignment, size_t byteCount) {
  *result = loam_allocate(byteCount, alignment);
  return *result ? 0 : 12;  // ENOMEM
}

void free(void *pointer) {
  if (pointer) loam_free(pointer);
}

// Dictionary and Set seed their hashing with it.
void arc4random_buf(void *buffer, size_t count) { loam_fill_random(buffer, count); }

// 128-bit division, which Swift's Duration arithmetic uses: shift and subtract, one quotient
// bit a step (these run rarely; compiler-rt's faster versions are not in this toolchain for
// bare-metal aarch64).
typedef unsigned __int128 uint128;
typedef __int128 int128;

uint128 __udivti3(uint128 dividend, uint128 divisor) {
  if (divisor == 0) __builtin_trap();
  uint128 quotient = 0, remainder = 0;
  for (int bit = 127; bit >= 0; bit--) {
    remainder = (remainder << 1) | ((dividend >> bit) & 1);
    if (remainder >= divisor) {
      remainder -= divisor;
      quotient |= (uint128)1 << bit;
    }
  }
  return quotient;
}

int128 __divti3(int128 dividend, int128 divisor) {
  int negative = (dividend < 0) != (divisor < 0);
  uint128 magnitude = __udivti3(dividend < 0 ? -(uint128)dividend : (uint128)dividend,
                                divisor < 0 ? -(uint128)divisor : (uint128)divisor);
  return negative ? -(int128)magnitude : (int128)magnitude;
}
