# Sourced by bench/run.sh.
# What every other connection of a preloaded program pays: connect() to a port the shim does not
# intercept (the default list is 2492 only), with logging off as by default.
section_passthrough() {
	[ "$SERVER_PORT" != 2492 ] || die "the bench server got port 2492, which the shim intercepts"
	SHIM_ENV=()
	measure pass-connect connect -p "$SERVER_PORT" -n "$CONNECT_COUNT"
	compare "pass-through: connect median, us" pass-connect median "<=" 1.02
	compare "pass-through: connect mean, us" pass-connect mean
}
