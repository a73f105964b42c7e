/* fork() support: a child starts its own engine when it needs one. */
#ifndef SSTPSHIM_FORK_H
#define SSTPSHIM_FORK_H

/* Registers the fork handlers, once; called on the first interception, never at load time. */
void shim_fork_setup(void);

#endif
