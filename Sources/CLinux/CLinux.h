// The Linux interfaces HostPlatform needs that Swift's Glibc module does not import: epoll,
// signalfd and accept4. Importing the real headers lets the compiler check the call signatures,
// the constants and the layout of `struct epoll_event` (packed on x86_64) against the system's
// own definitions instead of hand-written copies.
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

// accept4 is a GNU extension that <sys/socket.h> declares only under _GNU_SOURCE, and Swift's
// Glibc module was built without it, so the declaration is repeated here with glibc's signature.
extern int accept4(int socket, struct sockaddr *address, socklen_t *length, int flags);
