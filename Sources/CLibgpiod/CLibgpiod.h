// libgpiod 1.6 (Debian 12's libgpiod-dev), the C library over the kernel's GPIO character devices
// (`/dev/gpiochipN`), for LinuxHardware's LinuxGPIOChip. Its version-1 API (gpiod_chip_open,
// gpiod_line_request_*, gpiod_line_event_*) differs from libgpiod 2's; Loam uses version 1 only.
// Package.swift finds the library with pkg-config (`libgpiod`).
#include <gpiod.h>
