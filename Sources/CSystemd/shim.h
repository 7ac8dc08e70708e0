#ifndef JUNKWATCH_CSYSTEMD_SHIM_H
#define JUNKWATCH_CSYSTEMD_SHIM_H

// No _GNU_SOURCE here: it changes glibc's struct definitions (fd_set's member is `fds_bits`
// instead of `__fds_bits`), and Clang then rejects this module against SwiftGlibc's view of them.
#include <fcntl.h>
#include <unistd.h>
#include <systemd/sd-journal.h>
#include <systemd/sd-daemon.h>
#include <sys/uio.h>
#include <poll.h>
#include <errno.h>
#include <string.h>

/// A non-blocking, close-on-exec pipe: the wake-up channel of a cancellable journal wait.
static inline int csystemd_wake_pipe(int fds[2]) {
    // pipe2 needs _GNU_SOURCE. A child spawned by another thread before the fcntl may inherit
    // these descriptors; for a wake-up pipe that costs two descriptors in the child, nothing more.
    if (pipe(fds) != 0) return -1;
    for (int i = 0; i < 2; i++) {
        if (fcntl(fds[i], F_SETFD, FD_CLOEXEC) != 0 ||
            fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK) != 0) {
            int saved = errno;
            close(fds[0]);
            close(fds[1]);
            errno = saved;
            return -1;
        }
    }
    return 0;
}

#endif
