/* This object's header. */
#include "dm_stop.h"

/* Standard headers. */
#include <signal.h>
#include <string.h>

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig) { stop_signal = sig; }

static void set_action(void (*handler)(int)) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART; /* MPI and HDF5 calls in progress carry on */
  sigaction(SIGUSR1, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

void dm_stop_install(void) { set_action(on_signal); }

void dm_stop_uninstall(void) { set_action(SIG_DFL); }

int dm_stop_requested(void) { return stop_signal; }
