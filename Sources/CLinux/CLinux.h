// The Linux interfaces HostPlatform needs that Swift's Glibc module does not import: epoll,
// signalfd and accept4. Importing the real headers lets the compiler check the call signatures,
// the constants and the layout of `struct epoll_event` (packed on x86_64) against the system's
// own definitions instead of hand-written copies.
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
// Because <sys/socket.h> is included here, Clang may credit its declarations (SOCK_NONBLOCK,
// SOCK_DGRAM, ...) to this module rather than to Glibc, depending on build order; Swift files
// that use them import CLinux as well as Glibc.

// accept4 is a GNU extension that <sys/socket.h> declares only under _GNU_SOURCE, and Swift's
// Glibc module was built without it, so the declaration is repeated here with glibc's signature.
extern int accept4(int socket, struct sockaddr *address, socklen_t *length, int flags);

// The TUN/TAP driver's interface, for HostPlatform's TAPDevice: IFF_TAP and IFF_NO_PI import as
// they are, but TUNSETIFF is built by the function-like macro _IOW('T', 202, int), which Swift
// cannot import, so this constant carries the kernel header's own value across. (<if_tun.h> uses
// _IOW without including its definition.)
#include <sys/ioctl.h>
#include <linux/if_tun.h>
static const unsigned long loam_TUNSETIFF = TUNSETIFF;

// setns(2) and CLONE_NEWNET, to move a thread into a network namespace, as the tests that run
// TAP devices do (each in a namespace of its own). Like accept4, setns is a GNU extension that
// glibc declares only under _GNU_SOURCE, so its declaration is repeated with glibc's signature.
#include <linux/sched.h>
extern int setns(int fd, int nstype);

// getrandom(2), the kernel's entropy, for HostPlatform's SystemEntropy.
#include <sys/random.h>
