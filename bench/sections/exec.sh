# Sourced by bench/run.sh.
# What the preload costs every process started under it (every child of `sstpshim bash`):
# EXEC_COUNT runs of /bin/true, each timed from posix_spawn() to its exit. The children inherit
# LD_PRELOAD, so "with shim" pays the dynamic loader's work for the library and everything it
# needs. Nothing is intercepted and logging stays off.
section_exec() {
	SHIM_ENV=()
	measure exec exec -n "$EXEC_COUNT"
	compare "exec: /bin/true median, us" exec median "<=" 1.20
	compare "exec: /bin/true mean, us" exec mean
}
