#include "shim/fork.h"

#include <pthread.h>

#include "engine/engine.h"
#include "shim/sock.h"

static pthread_once_t shim_fork_once = PTHREAD_ONCE_INIT;

static void shim_fork_prepare(void)
{
	shim_table_lock();
}

static void shim_fork_parent(void)
{
	shim_table_unlock();
}

/* The child keeps the application's tunnels (their socketpair ends are shared with the parent,
 * whose engine keeps serving them) but not the engine thread, which fork() did not copy. */
static void shim_fork_child(void)
{
	shim_table_unlock();
	eng_after_fork_child();
}

static void shim_fork_register(void)
{
	pthread_atfork(shim_fork_prepare, shim_fork_parent, shim_fork_child);
}

void shim_fork_setup(void)
{
	pthread_once(&shim_fork_once, shim_fork_register);
}
