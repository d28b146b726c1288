/* dm_stop: a request to stop early, from a signal.
 *
 * A batch system asks a job to end before its time limit by a signal
 * (Slurm: --signal=B:USR1@120, forwarded by the job script; scancel sends
 * SIGTERM). After dm_stop_install(), SIGUSR1 and SIGTERM only set a flag;
 * a driver that checks dm_stop_requested() between units of work finishes
 * the unit in flight, records it, and exits with DM_EXIT_INTERRUPTED, so
 * that the same command, run again, resumes.
 */
#ifndef DM_STOP_H
#define DM_STOP_H

/** Exit code of a run stopped by a signal with its finished work kept
 *  (EX_TEMPFAIL of sysexits.h: "try again later"). */
#define DM_EXIT_INTERRUPTED 75

/** @brief Catch SIGUSR1 and SIGTERM from now on (idempotent). */
void dm_stop_install(void);

/** @return the signal that asked this process to stop, or 0. Async-signal safe. */
int dm_stop_requested(void);

/** @brief Restore the default action of SIGUSR1 and SIGTERM. */
void dm_stop_uninstall(void);

#endif
