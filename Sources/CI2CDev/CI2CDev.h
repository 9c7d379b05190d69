// i2c-dev, the kernel's character-device interface to I2C adapters (`/dev/i2c-N`), for
// LinuxHardware's LinuxI2CBus. Importing the kernel's own headers lets the compiler take the
// layout of `struct i2c_msg` and `struct i2c_rdwr_ioctl_data`, the ioctl numbers (I2C_FUNCS,
// I2C_RDWR) and the flag and capability bits (I2C_M_RD, I2C_FUNC_I2C) from the system's
// definitions instead of hand-written copies. LinuxHardwareTests compiles this same file with a C
// compiler and compares what it reports with what Swift sees.
//
// <linux/i2c-dev.h> uses `struct i2c_msg` without including its definition, so <linux/i2c.h>
// comes first. Both come with Debian's linux-libc-dev.
#include <linux/i2c.h>
#include <linux/i2c-dev.h>
