#ifndef JUNKWATCH_CSYSTEMD_SHIM_H
#define JUNKWATCH_CSYSTEMD_SHIM_H

// No _GNU_SOURCE here: defining it changes glibc's `fd_set` and the clang module of this header
// then clashes with SwiftGlibc's on a clean build. `pipe2` is declared by hand instead; glibc
// always exports it, and O_CLOEXEC/O_NONBLOCK are POSIX.
#include <fcntl.h>
#include <unistd.h>
#include <systemd/sd-journal.h>
#include <systemd/sd-daemon.h>
#include <sys/uio.h>
#include <poll.h>
#include <errno.h>
#include <string.h>

extern int pipe2(int fds[2], int flags);

/// A non-blocking, close-on-exec pipe: the wake-up channel of a cancellable journal wait.
static inline int csystemd_wake_pipe(int fds[2]) {
    return pipe2(fds, O_CLOEXEC | O_NONBLOCK);
}

#endif
