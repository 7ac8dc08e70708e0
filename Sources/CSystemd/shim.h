#ifndef JUNKWATCH_CSYSTEMD_SHIM_H
#define JUNKWATCH_CSYSTEMD_SHIM_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
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
    return pipe2(fds, O_CLOEXEC | O_NONBLOCK);
}

#endif
