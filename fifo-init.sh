#!/bin/sh
# fifo-init.sh: the POSIX-shell fallback of fifo-init, for images that have
# /bin/sh (alpine, busybox, debian-slim). A container init that gives PROGRAM
# a host-created FIFO as stdin and does the PID 1 duties: forward signals,
# reap zombies, exit with PROGRAM's code.
#
#   ENTRYPOINT ["/fifo-init.sh", "--fifo", "/run/svc/command_pipe", "--"]
#   CMD ["myservice", "--foreground"]
#   host$ echo "reload" > /srv/svc/command_pipe
#
# Same options, environment variables and exit codes as the fifo-init
# executable, as far as a shell allows (see `fifo-init.sh --help`). Runs under
# dash, busybox ash and bash; POSIX sh only.
#
# What the shell cannot do (use the fifo-init executable for these):
# - --pipe-size: F_SETPIPE_SZ is an fcntl(2); a shell has no way to call it.
# - -s: PR_SET_CHILD_SUBREAPER is a prctl(2). As PID 1 the script reaps every
#   orphan anyway; when it is not PID 1, PROGRAM's orphans go to the real init.
# - -g, -p, -w: signals go to PROGRAM's pid only; no parent-death signal
#   (prctl again); reaped orphans are never reported. -r/--rewrite works for
#   the seven forwarded signals (FROM must be one of them).
# - Signals: only HUP INT QUIT TERM USR1 USR2 WINCH are forwarded. ALRM is
#   the stop timer's tick and otherwise ignored; TTIN, TTOU and PIPE are
#   ignored by the script (PROGRAM gets them at default). Real-time signals
#   and the others (ABRT, CONT, TSTP, ...) are not: when the script is not
#   PID 1, one of them kills the script (and PROGRAM runs on without its
#   init); as PID 1 the kernel drops them. The traps are the script's first
#   commands, but the shell's own start-up (exec, reading the script) comes
#   before them: a forwarded signal then still kills a script that is not PID 1.
# - SIGINT/SIGQUIT: without job control a shell starts background jobs with
#   SIGINT and SIGQUIT ignored (POSIX 2.11), and dash and busybox ash never let
#   a trap undo that; bash does (`trap -` below). Every disposition is reset
#   with coreutils `env --default-signal` when that exists (Debian, Ubuntu);
#   otherwise, under dash or ash, PROGRAM starts with INT and QUIT ignored and
#   a forwarded INT or QUIT only acts if PROGRAM installs its own handler.
#   With --stop-command INT and QUIT stay ignored for PROGRAM on purpose under
#   every shell: Ctrl-C at a terminal reaches PROGRAM's process group too, and
#   must become the stop command (a forwarded INT is then ignored as well).
# - Process group and terminal: no job control without a terminal, so PROGRAM
#   stays in the script's process group and is never made the terminal's
#   foreground group (with `docker run -it`, Ctrl-C reaches PROGRAM from the
#   terminal and again from the script).
# - Descriptors: PROGRAM inherits the script's descriptors; the FIFO is opened
#   on descriptor 9 (see "FIFO_FD" below) and closed for PROGRAM, which gets it as
#   fd 0. A descriptor 9 the caller passed on purpose is replaced.
# - The FIFO's type is checked before it is opened (there is no O_NONBLOCK or
#   fstat in sh) and checked again on descriptor 9 after the open (a FIFO,
#   and the file now at the path). `<>` has O_CREAT and follows symlinks: a
#   dangling symlink renamed over the FIFO between the two makes the open
#   create an empty file at its target; it is then refused, never written to.
# - Reaping: as PID 1 the shell reaps orphans while it waits for PROGRAM
#   (dash and ash wait for any child inside `wait`, bash reaps on SIGCHLD);
#   a zombie may wait while a trap runs. Nothing is reaped once PROGRAM is gone:
#   the script exits, and with PID 1 the kernel kills what is left.
# - --stop-command, --startup-command, --signal-command and the relayed
#   stdin: the lines are written by background subshells (sh cannot write
#   without blocking), so a full FIFO never blocks the init; each opens its
#   own write-only descriptor through /proc/self/fd/9 and is killed when the
#   script exits (a stop writer also at the stop timeout, or when the next
#   pause ends and it is still blocked). A sub-second --stop-timeout or
#   --stop-wait is rounded up to whole seconds when `sleep` takes no fractions.
# - Merged stdin: `read` drops NUL bytes, and a line is read whole into
#   memory before it can be refused as too long (never split). If the
#   script itself is killed (SIGKILL, not PID 1), the relay lives on until
#   its stdin ends.
# - --leftover-grace acts as PID 1 only: otherwise PROGRAM's orphans are
#   reparented away from the script (no subreaper), which warns at start-up.
# - Fork failures: when the shell cannot fork before PROGRAM runs, the script
#   exits 125 with one line (bash first retries for 15 s). After that, dash
#   and ash abandon the command that could not fork (a stop command, say);
#   the script keeps waiting for PROGRAM and exits with its status.
# - bash 5.2 under a flood of trapped signals can lose PROGRAM's status (its
#   wait answers -1 for ever): the script then exits 125 with one line.
# - The `send` command exists only in the executable.
set -eu

# ------------------------------------------------ signals, before anything else

# The log comes first too: the EXIT trap below uses it.
verbosity=1

# fifo_init_log LEVEL MESSAGE: one line on stderr when LEVEL <= verbosity
# (0 errors, 1 warnings and notices, 2 info, 3 debug). Never fails.
fifo_init_log() {
	if [ "$1" -le "$verbosity" ]; then
		printf 'fifo-init: %s\n' "$2" >&2 || :
	fi
}


# The traps come first (SPEC "Signal policy"): a forwarded signal that comes
# while the script parses its options or checks the FIFO must not kill it
# (when it is not PID 1 the default action would). Until PROGRAM runs, a
# signal is only remembered, once per name (the kernel does not queue
# standard signals either), and delivered right after the spawn. Only
# assignments and builtins run here: a trap that cannot fail.
child=
pending_signals=
signal_seen=false
stopping=false
stop_pausing=false
exiting=false
collected=false

# note_signal NAME: the trap of every forwarded signal.
# shellcheck disable=SC2317 # called from a trap only
note_signal() {
	signal_seen=true
	if [ -z "$child" ]; then
		case " $pending_signals " in
			*" $1 "*) ;;
			*) pending_signals="$pending_signals$1 " ;;
		esac
		return 0
	fi
	on_signal "$1"
}

# note_alarm: SIGALRM is the stop timer's tick (see stop_timer). Outside a
# stop it is ignored: it is not one of the forwarded signals, and its default
# action would end the script and orphan PROGRAM.
# shellcheck disable=SC2317 # called from a trap only
note_alarm() {
	if "$stopping"; then
		on_alarm
	fi
}

trap 'note_signal HUP || :' HUP
trap 'note_signal INT || :' INT
trap 'note_signal QUIT || :' QUIT
trap 'note_signal TERM || :' TERM
trap 'note_signal USR1 || :' USR1
trap 'note_signal USR2 || :' USR2
trap 'note_signal WINCH || :' WINCH
trap 'note_alarm || :' ALRM
# TTIN/TTOU: a background init reading or setting the terminal must not be
# stopped (as tini). PIPE: a log line written to a stderr whose reader is
# gone must fail as a write, not kill the init (SPEC: a signal the init
# causes itself). run_program puts all three back to default for PROGRAM.
trap '' TTIN TTOU PIPE
trap 'on_exit' EXIT

# on_exit: the EXIT trap. The script's own exits go through finish (exiting
# is true); anything else is the shell giving up on its own: dash and ash
# exit 2 when fork fails ("Cannot fork"), bash 254 after its retries, and
# set -e ends it on an unexpected failure. That is fifo-init's own failure:
# 125, one line. Once PROGRAM runs, the init ends only with PROGRAM's status,
# so the trap goes back to waiting for it.
# shellcheck disable=SC2317 # called from a trap only
on_exit() {
	_oe_status=$?
	if "$exiting"; then
		return 0
	fi
	exiting=true
	if [ -n "$child" ] && ! "$collected"; then
		fifo_init_log 0 "internal error (the shell stopped with status $_oe_status): still waiting for ${program_name-PROGRAM}"
		# dash answers the trap's entry status for every $? inside an EXIT
		# trap: a `wait` status cannot be read there. Then wait until
		# PROGRAM is gone, and say its status is unknown.
		_oe_probe=0
		false || _oe_probe=$?
		if [ "$_oe_probe" -eq 1 ]; then
			wait_program
			exit_with_program_status
		fi
		while program_alive; do
			wait "$child" 2>/dev/null || :
		done
		fifo_init_log 0 "${program_name-PROGRAM} has ended; this shell cannot tell its exit status here: exiting with 125"
		exit 125
	fi
	fifo_init_log 0 "fifo-init.sh failed: the shell stopped with status $_oe_status (could it not fork? see the process limit: ulimit -u, pids cgroup)"
	exit 125
}

# finish CODE: every exit the script means to make.
finish() {
	exiting=true
	exit "$1"
}

FIFO_INIT_VERSION=0.1.0

# FIFO_FD=9: the FIFO's descriptor in the script (read/write). 9 is the
# highest descriptor every POSIX shell can name in a redirection (dash takes
# one digit); it leaves 3 and up to what a caller passes on purpose (systemd's
# LISTEN_FDS start at 3), and the shells keep their own descriptors at 10 and
# above. Redirections cannot take a variable, so the 9 is written out below.

# Signals forwarded to PROGRAM (the SPEC's list for the shell fallback).
FORWARDED_SIGNALS='HUP INT QUIT TERM USR1 USR2 WINCH'
DEFAULT_CREATE_MODE=0600
DEFAULT_STOP_TIMEOUT=10s
# PIPE_BUF on Linux: a write of up to this many bytes into a pipe is atomic. See: pipe(7).
PIPE_BUF=4096

nl='
'
# cr: a carriage return, set by need_cr (a command substitution forks, so
# only when a stop command needs it).
cr=

# fail CODE MESSAGE: fifo-init's own failures end here.
fail() {
	fifo_init_log 0 "$2"
	finish "$1"
}

usage_error() {
	fail 125 "$1 (see 'fifo-init.sh --help')"
}

usage() {
	printf '%s\n' "Usage:
  fifo-init.sh [OPTIONS] [--] PROGRAM [ARGS...]
  fifo-init.sh --help | --version

The POSIX-shell fallback of fifo-init. Runs PROGRAM as a container init:
forwards signals, reaps zombies (as PID 1), exits with PROGRAM's code (128+N
when signal N killed it), and gives PROGRAM a FIFO as stdin so anyone who can
write the FIFO can type into its console.
Options stop at the first word that is not an option.

Options:
  -f, --fifo PATH           FIFO to give PROGRAM as stdin (env FIFO_INIT_FIFO)
      --create[=MODE]       create the FIFO if missing, mode exactly MODE
                            (octal, default 0600) (env FIFO_INIT_CREATE)
      --exec                check and open the FIFO, then become PROGRAM
  -e CODE                   remap exit code CODE to 0 (repeatable)
  -r, --rewrite FROM:TO     rewrite a forwarded signal; TO 0 or DROP drops it (repeatable)
      --stop-command TEXT   on SIGTERM/SIGINT write TEXT into the FIFO instead of
                            forwarding (repeatable) (env FIFO_INIT_STOP_COMMAND, one per line)
      --stop-wait DUR       a pause between the --stop-commands around it; SIGHUP
                            during a pause skips the remaining pauses (env
                            FIFO_INIT_STOP_SEQUENCE: lines 'command TEXT', 'wait DUR')
      --stop-timeout DUR    wait after the last stop command, then SIGTERM, then
                            SIGKILL (default 10s; 500ms, 30s, 2m) (env FIFO_INIT_STOP_TIMEOUT)
      --startup-command TEXT  write TEXT into the FIFO right after PROGRAM starts
                            (repeatable) (env FIFO_INIT_STARTUP_COMMAND, one per line)
      --startup-file PATH   the lines of PATH too, after them (env FIFO_INIT_STARTUP_FILE)
      --signal-command SIG:TEXT  SIG (HUP QUIT USR1 USR2 WINCH) writes TEXT into the
                            FIFO instead of being forwarded (repeatable)
                            (env FIFO_INIT_SIGNAL_COMMAND, one per line)
      --no-relay-stdin      do not copy lines of our own stdin into the FIFO
                            (env FIFO_INIT_RELAY_STDIN=0)
      --leftover-grace DUR  as PID 1, when PROGRAM exits: SIGTERM to what is left,
                            up to DUR, then SIGKILL (env FIFO_INIT_LEFTOVER_GRACE)
  -v                        more logging, repeatable (env FIFO_INIT_VERBOSITY 0-3,
                            or tini's TINI_VERBOSITY)
  -h, --help                this text
      --version             the version

Also from the environment: FIFO_INIT_EXEC, FIFO_INIT_EXPECT_EXIT and
FIFO_INIT_REWRITE (words separated by commas or spaces); the command line wins.
Forwarded signals: $FORWARDED_SIGNALS.
Only in the fifo-init executable: --pipe-size, --lock-timeout, --preserve-fds,
--nofile-soft, -s, -g, -p, -w (and their FIFO_INIT_* variables) and the send
command.

Exit codes: PROGRAM's own; 128+N if signal N killed it; 125 fifo-init.sh
failed (usage, FIFO check); 126 PROGRAM not executable; 127 PROGRAM not found."
}

# ---------------------------------------------------------------- values

# trim TEXT: sets trimmed to TEXT without leading and trailing blanks.
trim() {
	trimmed=${1#"${1%%[![:space:]]*}"}
	trimmed=${trimmed%"${trimmed##*[![:space:]]}"}
}

# strip_zeros DIGITS: sets number to DIGITS without leading zeros, as
# $((010)) would be octal.
strip_zeros() {
	number=${1#"${1%%[!0]*}"}
	number=${number:-0}
}

# env_flag VALUE: true for a set flag; "", 0, false, no and off turn it off.
env_flag() {
	trim "$1"
	case "$trimmed" in
		'' | 0 | [Ff][Aa][Ll][Ss][Ee] | [Nn][Oo] | [Oo][Ff][Ff]) return 1 ;;
	esac
	return 0
}

# parse_mode TEXT: sets mode to a four-digit octal mode (600 or 0660; at most 0777).
parse_mode() {
	trim "$1"
	case "$trimmed" in
		[0-7][0-7][0-7]) mode=0$trimmed ;;
		0[0-7][0-7][0-7]) mode=$trimmed ;;
		*) return 1 ;;
	esac
}

# parse_duration TEXT: sets duration_ms. 500ms, 30s, 2m, 1.5h; a bare
# number is seconds (as docker stop -t); at most 2^31-1 ms, as the executable.
parse_duration() {
	trim "$1"
	_pd_text=$trimmed
	case "$_pd_text" in
		*ms) _pd_unit=1 _pd_text=${_pd_text%ms} ;;
		*s) _pd_unit=1000 _pd_text=${_pd_text%s} ;;
		*m) _pd_unit=60000 _pd_text=${_pd_text%m} ;;
		*h) _pd_unit=3600000 _pd_text=${_pd_text%h} ;;
		*) _pd_unit=1000 ;;
	esac
	_pd_int=${_pd_text%%.*}
	_pd_frac=
	case "$_pd_text" in
		*.*)
			_pd_frac=${_pd_text#*.}
			case "$_pd_frac" in '' | *[!0-9]*) return 1 ;; esac
			;;
	esac
	case "$_pd_int" in '' | *[!0-9]*) return 1 ;; esac
	strip_zeros "$_pd_int"
	# More digits would overflow the shell's arithmetic; far above the limit anyway.
	if [ "${#number}" -gt 10 ]; then return 1; fi
	_pd_int=$number
	# Seven fraction digits are finer than a millisecond even for hours.
	_pd_frac=${_pd_frac}0000000
	_pd_frac=${_pd_frac%"${_pd_frac#???????}"}
	strip_zeros "$_pd_frac"
	duration_ms=$((_pd_int * _pd_unit + (number * _pd_unit + 5000000) / 10000000))
	[ "$duration_ms" -le 2147483647 ]
}

# parse_exit_code TEXT: sets exit_code (0-255).
parse_exit_code() {
	trim "$1"
	case "$trimmed" in
		[0-9] | [0-9][0-9] | [0-9][0-9][0-9]) ;;
		*) return 1 ;;
	esac
	strip_zeros "$trimmed"
	exit_code=$number
	[ "$exit_code" -le 255 ]
}

# need_cr: sets cr. The shell's own complaint when it cannot fork goes to
# /dev/null: on_exit says it in one line.
need_cr() {
	if [ -z "$cr" ]; then
		{ cr=$(printf '\r'); } 2>/dev/null
	fi
}

# check_stop_command SOURCE TEXT: one line of at most PIPE_BUF-1 bytes, so
# the line plus its newline is one atomic write. A CR counts as a line break
# (SPEC: one argument is one console command): written inside a command it
# would reach PROGRAM as part of the line (`stop\r`). SOURCE names the option
# or variable the text came from.
check_stop_command() {
	need_cr
	case "$2" in
		*"$nl"* | *"$cr"*)
			_sc_start=${2%%"$nl"*}
			_sc_start=${_sc_start%%"$cr"*}
			stop_error="invalid $1 '$_sc_start...': expected one line (no newline or carriage return inside)"
			return 1
			;;
	esac
	# ${#} counts characters; at most 4 bytes each, so only long text needs counting.
	if [ "${#2}" -gt $(((PIPE_BUF - 1) / 4)) ]; then
		_sc_bytes=$(printf '%s' "$2" | wc -c)
		trim "$_sc_bytes"
		if [ "$trimmed" -gt $((PIPE_BUF - 1)) ]; then
			_sc_start=${2%"${2#????????????????????}"}
			stop_error="invalid $1 '$_sc_start...': expected at most $((PIPE_BUF - 1)) bytes, so it is written atomically"
			return 1
		fi
	fi
}

# --------------------------------------------------------- file details

# safe_path PATH: sets safe to PATH made safe as an operand (no leading '-').
safe_path() {
	case "$1" in
		-*) safe=./$1 ;;
		*) safe=$1 ;;
	esac
}

# describe_identity: sets identity to "uid U gid G (groups A,B)", who we run as.
describe_identity() {
	_id_uid=$(id -u 2>/dev/null) || _id_uid='?'
	_id_gid=$(id -g 2>/dev/null) || _id_gid='?'
	_id_rest=$(id -G 2>/dev/null) || _id_rest=
	_id_extra=
	_id_rest="$_id_rest "
	while [ -n "$_id_rest" ]; do
		_id_group=${_id_rest%% *}
		_id_rest=${_id_rest#* }
		if [ -n "$_id_group" ] && [ "$_id_group" != "$_id_gid" ]; then
			_id_extra=${_id_extra:+$_id_extra,}$_id_group
		fi
	done
	identity="uid $_id_uid gid $_id_gid${_id_extra:+ (groups $_id_extra)}"
}

# mode_allows: true when file_mode (from stat_path) lets us, as
# describe_identity found us, read and write: the owner class alone when the
# uid matches, else the group class for our gid or a supplementary group,
# else other (the kernel's order). CAP_DAC_OVERRIDE (bit 1 of CapEff in
# /proc/self/status; without /proc, uid 0) waives the mode; then
# dac_override=true. ACLs and LSMs are what this does not see.
# See: path_resolution(7) "Permission", capabilities(7).
mode_allows() {
	dac_override=false
	_ma_cap=
	if [ -r /proc/self/status ]; then
		# A compound command's redirection runs in this shell: /proc/self is the script.
		while read -r _ma_key _ma_value; do
			case $_ma_key in CapEff:) _ma_cap=$_ma_value ;; esac
		done </proc/self/status
	fi
	case $_ma_cap in
		'') [ "$_id_uid" = 0 ] && dac_override=true ;;
		*[!0-9a-fA-F]*) ;;
		*) [ $(((0x$_ma_cap >> 1) & 1)) -eq 1 ] && dac_override=true ;;
	esac
	"$dac_override" && return 0
	_ma_mode=${file_mode#0}
	_ma_group=${_ma_mode#?}
	if [ "$file_uid" = "$_id_uid" ]; then
		_ma_digit=${_ma_mode%??}
	else
		case ",$_id_gid,$_id_extra," in
			*",$file_gid,"*) _ma_digit=${_ma_group%?} ;;
			*) _ma_digit=${_ma_mode#??} ;;
		esac
	fi
	[ $((_ma_digit & 6)) -eq 6 ]
}

# stat_path PATH: sets file_perms (prw-r-----), file_mode (0640), file_uid
# and file_gid from `ls -lnd` (`stat -c` is GNU; busybox may lack it).
stat_path() {
	safe_path "$1"
	_st_line=$(ls -lnd "$safe" 2>/dev/null) || return 1
	_st_line=${_st_line%%"$nl"*}
	next_word
	file_perms=$word
	next_word
	next_word
	file_uid=$word
	next_word
	file_gid=$word
	_st_perms=${file_perms#?}
	file_mode=0
	for _st_triple in user group other; do
		_st_digit=0
		case "$_st_perms" in r*) _st_digit=4 ;; esac
		_st_perms=${_st_perms#?}
		case "$_st_perms" in w*) _st_digit=$((_st_digit + 2)) ;; esac
		_st_perms=${_st_perms#?}
		case "$_st_perms" in [xst]*) _st_digit=$((_st_digit + 1)) ;; esac
		_st_perms=${_st_perms#?}
		file_mode=$file_mode$_st_digit
	done
	: "$_st_triple"
}

# next_word: sets word to the next blank-separated word of _st_line and drops it.
next_word() {
	_st_line=${_st_line#"${_st_line%%[! ]*}"}
	word=${_st_line%% *}
	_st_line=${_st_line#"$word"}
}

# missing_reason PATH: sets reason for a PATH that `test -e` does not see:
# notdir (an ancestor is not a directory), denied (an ancestor cannot be
# searched) or missing.
missing_reason() {
	_mr_dir=$1
	while :; do
		case "$_mr_dir" in
			*/*)
				_mr_dir=${_mr_dir%/*}
				_mr_dir=${_mr_dir:-/}
				;;
			*) _mr_dir=. ;;
		esac
		if [ -e "$_mr_dir" ] || [ "$_mr_dir" = / ] || [ "$_mr_dir" = . ]; then
			break
		fi
	done
	if [ ! -d "$_mr_dir" ]; then
		reason=notdir
	elif [ ! -x "$_mr_dir" ]; then
		reason=denied
	else
		reason=missing
	fi
}

# file_type PATH: sets type to what PATH is, in the words a user knows.
file_type() {
	if [ -p "$1" ]; then type=FIFO
	elif [ -d "$1" ]; then type=directory
	elif [ -f "$1" ]; then type='regular file'
	elif [ -S "$1" ]; then type=socket
	elif [ -c "$1" ]; then type='character device'
	elif [ -b "$1" ]; then type='block device'
	else type='special file'
	fi
}

# refuse_not_fifo PATH TYPE: the one line for a path that is not a FIFO.
refuse_not_fifo() {
	if [ "$2" = directory ]; then
		fail 125 "$1 is a directory, not a FIFO: Docker creates a directory when the host path of a -v bind mount does not exist; remove that directory on the host, run 'mkfifo HOSTPATH' there, then start the container again"
	fi
	fail 125 "$1 is a $2, not a FIFO: refusing to use it (it was left untouched); point --fifo at a FIFO made with mkfifo"
}

# ------------------------------------------------------------- the FIFO

# create_fifo: mkfifo with exactly create_mode, in one step. The mode is
# set by a subshell's umask (0777 & ~MODE), never by a chmod after: a chmod
# (or a mkfifo that chmods) by path follows whatever sits at the path then,
# and whoever can write the directory could rename a symlink to any file over
# the new FIFO and have root chmod that file. mkfifo without -m asks for
# 0666, so the umask alone gives MODE exactly. Execute bits (meaningless on a
# FIFO) need -m: busybox then clears the umask and makes it in one mknod;
# coreutils adds an lchmod that refuses symlinks. An existing path is never
# replaced.
create_fifo() {
	safe_path "$fifo"
	# create_mode is 0UGO (parse_mode): the umask is each digit's complement.
	_cf_digits=${create_mode#0}
	_cf_group=${_cf_digits#?}
	_cf_umask=0$((7 - ${_cf_digits%??}))$((7 - ${_cf_group%?}))$((7 - ${_cf_digits#??}))
	case "$create_mode" in
		*[1357]*) set -- -m "$create_mode" ;;
		*) set -- ;;
	esac
	if _cf_error=$(umask "$_cf_umask" && exec mkfifo "$@" "$safe" 2>&1); then
		created=true
		return 0
	fi
	# Someone made it first: the checks that follow apply to whatever it is.
	if [ -e "$fifo" ] || [ -L "$fifo" ]; then
		return 0
	fi
	case "$fifo" in
		*/*) _cf_dir=${fifo%/*} ;;
		*) _cf_dir=. ;;
	esac
	_cf_dir=${_cf_dir:-/}
	if [ ! -d "$_cf_dir" ]; then
		fail 125 "cannot create $fifo: its directory does not exist; mount or create the directory first"
	fi
	_cf_error=${_cf_error%%"$nl"*}
	describe_identity
	if stat_path "$_cf_dir"; then
		fail 125 "cannot create $fifo: $_cf_error (directory owned by uid $file_uid gid $file_gid, mode $file_mode; fifo-init runs as $identity)"
	fi
	fail 125 "cannot create $fifo: $_cf_error"
}

# refuse_link: SPEC: a symlink at a --create path is refused.
refuse_link() {
	fail 125 "$fifo is a symbolic link: refusing it with --create (a link could point the init at any file); point --fifo at the FIFO itself"
}

# check_opened: refuses a descriptor 9 that is not a FIFO, or not the file
# now at the path. Where neither /dev/fd nor /proc is mounted the path is
# checked again instead.
check_opened() {
	for _co_fd in /dev/fd/9 /proc/self/fd/9 ''; do
		if [ -z "$_co_fd" ] || [ -e "$_co_fd" ]; then
			break
		fi
	done
	if [ -z "$_co_fd" ]; then
		fifo_init_log 2 "cannot check descriptor 9 (no /dev/fd or /proc): checked $fifo again instead"
		_co_fd=$fifo
	fi
	if [ ! -p "$_co_fd" ]; then
		file_type "$_co_fd"
		exec 9<&-
		refuse_not_fifo "$fifo" "$type"
	fi
	if [ "$_co_fd" = "$fifo" ]; then
		return 0
	fi
	# -ef (same device and inode) is not POSIX, but dash, ash, bash, mksh
	# and yash have it; a test without it fails with 2, and then it is skipped.
	_co_same=0
	# shellcheck disable=SC3013,SC2319
	[ "$_co_fd" -ef "$fifo" ] 2>/dev/null || _co_same=$?
	if [ "$_co_same" -eq 1 ]; then
		exec 9<&-
		fail 125 "$fifo was replaced while it was opened: refusing to use it; make sure nothing else renames files in its directory"
	fi
}

# open_fifo: checks the FIFO and opens it read/write on descriptor 9.
# O_RDWR never blocks on a FIFO (we are a reader and a writer at once) and
# keeps a writer open for ever, so PROGRAM never reads EOF when a host writer
# closes. See: fifo(7). Only a path that tested as a FIFO is opened.
open_fifo() {
	created=false
	if [ -n "$create_mode" ] && [ -L "$fifo" ]; then
		refuse_link
	fi
	if [ ! -e "$fifo" ]; then
		missing_reason "$fifo"
		case "$reason" in
			notdir) fail 125 "$fifo: a parent of this path is not a directory; point --fifo at a FIFO" ;;
			denied)
				describe_identity
				fail 125 "permission denied opening $fifo for checking: it is in a directory we cannot search and fifo-init runs as $identity; chown or chmod it on the host, or run the container as its owner"
				;;
		esac
		if [ -z "$create_mode" ]; then
			fail 125 "$fifo does not exist: create the FIFO on the host with 'mkfifo -m 0600 HOSTPATH' before the container starts and bind-mount it (-v HOSTPATH:$fifo), or pass --create"
		fi
		create_fifo
	fi
	file_type "$fifo"
	if [ "$type" != FIFO ]; then
		refuse_not_fifo "$fifo" "$type"
	fi

	# `command` keeps a failed redirection from ending the shell (exec is a special built-in).
	if ! { command exec 9<>"$fifo"; } 2>/dev/null; then
		if [ ! -e "$fifo" ]; then
			fail 125 "$fifo does not exist: create the FIFO on the host with 'mkfifo -m 0600 HOSTPATH' before the container starts and bind-mount it (-v HOSTPATH:$fifo), or pass --create"
		fi
		describe_identity
		if stat_path "$fifo"; then
			_of_owner="owned by uid $file_uid gid $file_gid with mode $file_mode and fifo-init runs as $identity"
			# The mode lets us in, yet the open failed: not the mode (the executable's hint, same words).
			if mode_allows; then
				_of_allowed='which that mode allows'
				"$dac_override" && _of_allowed='which may open it whatever the mode (CAP_DAC_OVERRIDE)'
				fail 125 "permission denied opening $fifo for reading and writing: it is $_of_owner, $_of_allowed, so something else refused it: an SELinux label (add :z or :Z to the -v bind mount) or a user namespace (uid $_id_uid here may be another uid on the host under rootless Docker or Podman and userns-remap; a host owner the namespace does not map shows as uid 65534)"
			fi
			if [ ! -r "$fifo" ] || [ ! -w "$fifo" ]; then
				fail 125 "permission denied opening $fifo for reading and writing: it is $_of_owner; chown or chmod it on the host, or run the container as its owner"
			fi
		elif [ ! -r "$fifo" ] || [ ! -w "$fifo" ]; then
			fail 125 "permission denied opening $fifo for reading and writing: fifo-init runs as $identity; chown or chmod it on the host, or run the container as its owner"
		fi
		fail 125 "cannot open $fifo"
	fi
	# The path may have changed between the check and the open (a rename
	# over it): check what descriptor 9 is. /dev/fd/9 and /proc/self/fd/9
	# name the shell's own descriptor here, as `[` is a builtin. `<>` has
	# O_CREAT and follows symlinks, so a dangling symlink renamed over the
	# FIFO in that window makes the open create an empty file at its target;
	# no shell redirection opens a FIFO read/write without O_CREAT, so that
	# file cannot be avoided, only refused: it is never used or written.
	check_opened
	if [ -n "$create_mode" ] && [ -L "$fifo" ]; then
		exec 9<&-
		refuse_link
	fi

	if ! "$created" && stat_path "$fifo"; then
		case "$file_perms" in
			????????w*)
				fifo_init_log 1 "warning: $fifo is writable by everyone (mode $file_mode): anyone on the host can type into the service; run 'chmod o-w' on it"
				;;
		esac
	fi
	if "$created"; then
		fifo_init_log 3 "opened $fifo read/write as fd 9 (created)"
	else
		fifo_init_log 3 "opened $fifo read/write as fd 9"
	fi
}

# ------------------------------------------------------------ PROGRAM

# find_in_path NAME: sets found to the first executable regular file NAME
# in PATH, as execvp(3) looks (PATH unset: /bin:/usr/bin; an empty entry is
# the current directory), and denied to the first non-executable match.
find_in_path() {
	found=
	denied=
	_fp_rest=${PATH-/bin:/usr/bin}:
	while [ -n "$_fp_rest" ]; do
		_fp_file=${_fp_rest%%:*}
		_fp_rest=${_fp_rest#*:}
		_fp_file=${_fp_file:-.}/$1
		if [ -f "$_fp_file" ]; then
			if [ -x "$_fp_file" ]; then
				found=$_fp_file
				return 0
			fi
			denied=${denied:-$_fp_file}
		fi
	done
	return 1
}

# check_program NAME: 127 when NAME is not found, 126 when it is not
# executable, looked up as execvp(3) does; sets program_path. Not
# `command -v`: it also finds built-ins and functions, and exec runs neither.
check_program() {
	case "$1" in
		*/*)
			if [ ! -e "$1" ]; then
				fail 127 "$1: not found (no such file)"
			fi
			if [ -d "$1" ] || [ ! -x "$1" ]; then
				fail 126 "$1: cannot execute: Permission denied"
			fi
			safe_path "$1"
			program_path=$safe
			return 0
			;;
	esac
	if find_in_path "$1"; then
		program_path=$found
		return 0
	fi
	if [ -n "$denied" ]; then
		fail 126 "$1: cannot execute: $denied: permission denied"
	fi
	fail 127 "$1: not found (not in PATH)"
}

# exec_program PROGRAM [ARGS...]: replaces this shell with PROGRAM, every
# signal disposition at default when the system lets a shell do that; with
# --stop-command, SIGINT and SIGQUIT stay ignored (see run_program).
exec_program() {
	if [ -n "$reset_env" ]; then
		if "$keep_int_ignored"; then
			exec "$reset_env" --default-signal --ignore-signal=INT --ignore-signal=QUIT -- "$@"
		fi
		exec "$reset_env" --default-signal -- "$@"
	fi
	case "$1" in
		# bash and ash would read a leading '-' as an option of exec (and
		# `exec --` is not POSIX): run such a name by its path.
		-*)
			shift
			set -- "$program_path" "$@"
			;;
	esac
	exec "$@"
}

# run_program PROGRAM [ARGS...]: the body of the background job.
run_program() {
	# What the script ignores for itself is inherited across exec: give
	# PROGRAM its TTIN, TTOU and PIPE at default. The shells allow it, as
	# the script, not its caller, ignored them.
	trap - TTIN TTOU PIPE
	# A shell without job control starts background jobs with INT and QUIT
	# ignored; bash lets the job undo that, dash and ash keep them ignored.
	# With --stop-command they stay ignored on purpose: PROGRAM shares the
	# script's process group, so a Ctrl-C typed at a terminal reaches both,
	# and it must become the stop command, not kill PROGRAM.
	if "$keep_int_ignored"; then
		trap '' INT QUIT
	else
		trap - INT QUIT
	fi
	exec_program "$@"
}

# ------------------------------------------------------ signals and stop

# proc_start_time PID: sets start_time to PID's start time (field 22 of
# /proc/PID/stat), or to nothing when /proc cannot say, and state to its
# state letter (field 3). With PID it tells one process from a later one
# that got the same pid. Builtins only.
proc_start_time() {
	start_time=
	if { read -r _ps_line <"/proc/$1/stat"; } 2>/dev/null; then
		# The command name (field 2) may hold spaces and ')': skip past its last ')'.
		_ps_line=${_ps_line##*) }
		# shellcheck disable=SC2086 # split on purpose: the numeric fields 3 and up.
		set -- $_ps_line
		if [ "$#" -ge 20 ]; then
			state=$1
			shift 19
			start_time=$1
		fi
	fi
}

# program_alive: PROGRAM may still be signalled: the script has not
# collected its status, and its pid is still the process we started (running
# or a zombie), not a later one that reused the pid.
program_alive() {
	if "$collected"; then
		return 1
	fi
	if [ -z "$child_start" ]; then
		process_exists "$child"
		return
	fi
	proc_start_time "$child"
	[ "$start_time" = "$child_start" ]
}

# signal_program SIGNAL: SIGNAL (a name or a number) to PROGRAM while it is alive.
signal_program() {
	program_alive || return 1
	case "$1" in
		*[!0-9]*) kill -s "$1" "$child" 2>/dev/null ;;
		*) kill -"$1" "$child" 2>/dev/null ;;
	esac
}

# on_signal NAME: a forwarded signal, once PROGRAM runs. Only builtins here
# (and the subshells of the writers and the timer): an external command
# would make dash wait for (and reap) any child.
on_signal() {
	fifo_init_log 3 "received SIG$1"
	if "$stopping" && "$stop_pausing" && [ "$1" = HUP ]; then
		skip_pauses
		return 0
	fi
	if [ "$stop_count" -gt 0 ] && ! "$stopping"; then
		case "$1" in
			TERM | INT)
				begin_stop "$1"
				return 0
				;;
		esac
	fi
	# --signal-command: the signal types its command(s) instead of being forwarded.
	case "$signal_commands" in
		"$1 "* | *"$nl$1 "*)
			_os_rest=$signal_commands
			_os_lines=
			while [ -n "$_os_rest" ]; do
				_os_entry=${_os_rest%%"$nl"*}
				_os_rest=${_os_rest#*"$nl"}
				case "$_os_entry" in
					"$1 "*) _os_lines=$_os_lines${_os_entry#* }$nl ;;
				esac
			done
			fifo_init_log 2 "received SIG$1: writing its signal command into the FIFO (--signal-command)"
			spawn_helper_writer "$_os_lines"
			return 0
			;;
	esac
	_os_out=$1
	case " $rewrites" in
		*" $1="*)
			_os_out=" $rewrites"
			_os_out=${_os_out#*" $1="}
			_os_out=${_os_out%% *}
			;;
	esac
	if [ "$_os_out" = 0 ]; then
		fifo_init_log 2 "dropped SIG$1 (--rewrite)"
		return 0
	fi
	signal_program "$_os_out" || return 0
	fifo_init_log 3 "sent SIG$_os_out to $child"
}

# ------------------------------------------------------------- the writers

# A shell cannot write without blocking, and the FIFO may be full: every
# console line (stop, start-up and signal commands, relayed stdin) is
# written by a background subshell, which blocks instead of the init.

# open_fifo_writer: in a writer subshell, makes stdout a write-only
# descriptor of the FIFO, opened by the subshell itself through
# /proc/self/fd/9 (the inode the script checked, not the path again), and
# closes 9. Write-only, it is no reader: if everything else is gone, a
# blocked write fails (EPIPE) instead of waiting for ever. `exec` keeps no
# saved copy of 9 (a redirection on a function call would). Without /proc,
# descriptor 9 itself (read/write) is moved to stdout.
open_fifo_writer() {
	if ! { command exec 1>>/proc/self/fd/9; } 2>/dev/null; then
		exec >&9
	fi
	exec 9>&-
}

# write_lines LINES: one printf, so one write(2), per line (measured with
# strace under dash, busybox sh and bash for lines up to PIPE_BUF bytes with
# the newline): each line arrives whole, never mixed with other writers.
write_lines() {
	_wl_list=$1
	while [ -n "$_wl_list" ]; do
		printf '%s\n' "${_wl_list%%"$nl"*}" 2>/dev/null || return 0
		_wl_list=${_wl_list#*"$nl"}
	done
}

# spawn_writer LINES: a background writer of LINES; sets spawned to
# "PID:START" (START from /proc/PID/stat, so that a pid reused later is
# never killed by mistake).
spawn_writer() {
	(
		open_fifo_writer
		write_lines "$1"
	) &
	_sw_pid=$!
	proc_start_time "$_sw_pid"
	spawned=$_sw_pid:$start_time
}

# spawn_helper_writer LINES: a writer for start-up or signal commands,
# remembered in helpers (reaped when done, killed at the end).
spawn_helper_writer() {
	prune_helpers
	spawn_writer "$1"
	helpers="$helpers$spawned "
}

# helper_running PID:START: the helper still runs (not a zombie) and is the
# process we started. Without /proc, kill -0 (a zombie counts as running).
helper_running() {
	proc_start_time "${1%%:*}"
	if [ -n "${1#*:}" ] || [ -d /proc/self ]; then
		[ -n "$start_time" ] && [ "$start_time" = "${1#*:}" ] && [ "$state" != Z ]
		return
	fi
	kill -0 "${1%%:*}" 2>/dev/null
}

# prune_helpers: collects the helpers that are done, so the list (and the
# shell's job table) stays small under many signal commands.
prune_helpers() {
	_ph_rest=$helpers
	helpers=
	for _ph_entry in $_ph_rest; do
		if helper_running "$_ph_entry"; then
			helpers="$helpers$_ph_entry "
		else
			wait "${_ph_entry%%:*}" 2>/dev/null || :
		fi
	done
}

# end_helper PID:START SIGNAL: ends one of the script's own helpers with
# SIGNAL if it still is the process we started, and reaps it.
end_helper() {
	if helper_running "$1"; then
		reap_helper "${1%%:*}" "$2"
	else
		wait "${1%%:*}" 2>/dev/null || :
	fi
}

# ------------------------------------------------------------- the stop

# begin_stop SIGNAL: runs the stop sequence instead of forwarding SIGNAL:
# the stop commands, in order, with the --stop-wait pauses between them,
# then the timer that escalates to TERM and KILL.
begin_stop() {
	stopping=true
	_bs_list=$stop_steps
	_bs_shown=
	while [ -n "$_bs_list" ]; do
		_bs_step=${_bs_list%%"$nl"*}
		_bs_list=${_bs_list#*"$nl"}
		case "$_bs_step" in
			"c "*) _bs_step="\"${_bs_step#c }\"" ;;
			*)
				_bs_step=${_bs_step#w }
				_bs_step="wait ${_bs_step%% *} ms"
				;;
		esac
		_bs_shown="${_bs_shown:+$_bs_shown, }$_bs_step"
	done
	fifo_init_log 1 "received SIG$1: writing stop command $_bs_shown into the FIFO"
	stop_rest=$stop_steps
	run_stop_steps
}

# run_stop_steps: writes the commands up to the next pause (one writer), then
# starts the timer: for that pause, or, after the last command, for the
# escalation. Each step ends the timer before (its tick came, or SIGHUP).
run_stop_steps() {
	_rs_group=
	_rs_pause=
	while [ -n "$stop_rest" ]; do
		_rs_step=${stop_rest%%"$nl"*}
		stop_rest=${stop_rest#*"$nl"}
		case "$_rs_step" in
			"c "*) _rs_group=$_rs_group${_rs_step#c }$nl ;;
			*)
				_rs_pause=${_rs_step#w }
				break
				;;
		esac
	done
	if [ -n "$_rs_group" ]; then
		if [ -n "$writer" ]; then
			# A writer of the commands before a pause that is still blocked:
			# the FIFO stayed full the whole pause; given up, as at the timeout.
			if helper_running "$writer"; then
				fifo_init_log 1 "warning: could not write a stop command before the pause ended: the FIFO stayed full"
			fi
			end_helper "$writer" KILL
		fi
		spawn_writer "$_rs_group"
		writer=$spawned
	fi
	if [ -n "$timer_pid" ]; then
		reap_helper "$timer_pid" VTALRM
		timer_pid=
	fi
	if [ -n "$_rs_pause" ]; then
		stop_pausing=true
		set_alarm_due "${_rs_pause%% *}"
		start_timer "${_rs_pause#* }"
	else
		stop_pausing=false
		set_alarm_due "$stop_timeout_ms"
		start_timer "$stop_sleep_seconds" "$stop_sleep_seconds"
	fi
}

# skip_pauses: SIGHUP during a pause: the remaining commands go out at once.
skip_pauses() {
	fifo_init_log 1 "received SIGHUP: skipping the remaining pauses of the stop sequence"
	_sp_rest=$stop_rest
	stop_rest=
	while [ -n "$_sp_rest" ]; do
		_sp_step=${_sp_rest%%"$nl"*}
		_sp_rest=${_sp_rest#*"$nl"}
		case "$_sp_step" in
			"c "*) stop_rest=$stop_rest$_sp_step$nl ;;
		esac
	done
	run_stop_steps
}

# uptime_cs: sets now_cs to the time since boot in hundredths of a second
# (/proc/uptime, read by a builtin), or to nothing without /proc.
uptime_cs() {
	now_cs=
	if { read -r _ut_line _ </proc/uptime; } 2>/dev/null; then
		case "$_ut_line" in
			*.??)
				strip_zeros "${_ut_line#*.}"
				now_cs=$((${_ut_line%.*} * 100 + number))
				;;
		esac
	fi
}

# set_alarm_due MS: the timer's next tick is due MS from now. A SIGALRM
# before that is not the current timer's (a timer ended by SIGHUP may have
# sent one just before, or someone else sent it) and is ignored.
set_alarm_due() {
	uptime_cs
	alarm_due=
	alarm_step_cs=$((($1 + 9) / 10))
	if [ -n "$now_cs" ]; then
		alarm_due=$((now_cs + alarm_step_cs - 2))
	fi
}

# start_timer SECONDS...: the timer in the background, one tick per SECONDS.
# It holds no FIFO descriptor: while it ran, `fifo-init send` would see a
# reader and report success for a service that is gone.
start_timer() {
	(
		exec 9>&-
		stop_timer "$@"
	) &
	timer_pid=$!
}

# stop_timer SECONDS...: runs in the background (a subshell, where $$ is
# still the script). It only ever signals the script, SIGALRM after each
# SECONDS; the script decides what happens (on_alarm), since only the
# script knows whether PROGRAM was reaped, and it kills and reaps the timer
# before it exits, so the script's pid is never stale here.
# The script ends it with SIGVTALRM, a signal the script itself does not
# trap: a subshell runs with the parent's handlers until it resets them, and
# dash drops a signal that arrives then (a TERM was lost so in 1 of 6 runs,
# and the timer outlived the script). VTALRM is at default until the trap
# below, so it always ends the timer.
stop_timer() {
	_tm_sleeper=
	trap 'if [ -n "$_tm_sleeper" ]; then kill "$_tm_sleeper" 2>/dev/null || :; fi; exit 0' VTALRM
	for _tm_seconds in "$@"; do
		stop_sleep "$_tm_seconds"
		kill -s ALRM "$$" 2>/dev/null || exit 0
	done
}

# stop_sleep SECONDS: sleeps in a way the VTALRM trap can cut short.
# The sleep holds neither the FIFO nor the script's stdout and stderr: if it
# ever outlived the timer, it would keep nothing open.
stop_sleep() {
	sleep "$1" >/dev/null 2>&1 &
	_tm_sleeper=$!
	wait "$_tm_sleeper" || :
	_tm_sleeper=
}

# on_alarm: a tick of the stop timer. The end of a pause: the next steps.
# After the last command, first: give up on a writer still blocked on a
# full FIFO, and SIGTERM; second: SIGKILL.
# shellcheck disable=SC2317 # called from a trap only
on_alarm() {
	if [ -n "$alarm_due" ]; then
		uptime_cs
		if [ -n "$now_cs" ] && [ "$now_cs" -lt "$alarm_due" ]; then
			fifo_init_log 3 "ignored a SIGALRM that came before the stop timer's tick"
			return 0
		fi
		alarm_due=$((alarm_due + alarm_step_cs))
	fi
	if "$stop_pausing"; then
		run_stop_steps
		return 0
	fi
	stop_step=$((stop_step + 1))
	if [ "$stop_step" -eq 1 ]; then
		if [ -n "$writer" ] && helper_running "$writer"; then
			fifo_init_log 1 "warning: could not write the stop command: the FIFO stayed full"
			end_helper "$writer" KILL
		fi
		if program_alive; then
			fifo_init_log 1 "$program_name still running $stop_timeout after the last stop command: sending SIGTERM"
			signal_program TERM || :
		fi
	elif [ "$stop_step" -eq 2 ] && program_alive; then
		fifo_init_log 1 "$program_name still running twice $stop_timeout after the last stop command: sending SIGKILL"
		signal_program KILL || :
	fi
}

# ------------------------------------------------------------ supervise

# process_exists PID: running or a zombie. /proc answers when kill -0 may not
# (EPERM: a setuid PROGRAM and an init that is not root).
process_exists() {
	kill -0 "$1" 2>/dev/null || [ -e "/proc/$1" ]
}

# program_state: sets state to PROGRAM's state letter from /proc (R, S, D,
# T stopped, t traced, Z zombie), to nothing when PROGRAM is gone (reaped,
# its pid free or another process's), or to '?' when /proc cannot say.
program_state() {
	state='?'
	if [ ! -d /proc/self ]; then
		return 0
	fi
	proc_start_time "$child"
	if [ -z "$start_time" ] || { [ -n "$child_start" ] && [ "$start_time" != "$child_start" ]; }; then
		state=
	fi
}

# wait_program: waits until PROGRAM has really exited; sets program_status.
# `wait` returns above 128 for three reasons, told apart by PROGRAM's state:
# - a trap cut it short: PROGRAM runs on, so wait again. (bash may run the
#   trap only later, so a flag set by the trap cannot tell.)
# - PROGRAM died of a signal: it is gone, and the shell repeats the status
#   to every `wait`; but a trap may have cut that `wait` short too (a flood
#   of HUP made the script exit 129 for PROGRAM's 7), so stop listening to
#   the forwarded signals and ask until the same status comes three times
#   in a row.
# - PROGRAM is stopped and the shell is its tracer (it called
#   PTRACE_TRACEME: every stop is reported to the tracer, and `wait` returns
#   at once for a stopped job): block a second at a time, never spin. A
#   traced zombie (killed while stopped) is reaped only while the shell waits
#   for some child: a trivial one makes it.
wait_program() {
	_wp_last=
	_wp_same=0
	_wp_deaf=false
	while :; do
		signal_seen=false
		program_status=0
		wait "$child" 2>/dev/null || program_status=$?
		# bash 5.2 under a flood of trapped signals sometimes returns -1
		# (seen in 2 of 8 runs): not a status; told apart below.
		if [ "$program_status" -ge 0 ] && [ "$program_status" -le 128 ]; then
			# 127 after a status above 128: bash --posix forgets a job once
			# reported; dash, ash and bash repeat it.
			if [ "$program_status" -eq 127 ] && [ -n "$_wp_last" ] && ! process_exists "$child"; then
				program_status=$_wp_last
			fi
			break
		fi
		program_state
		case "$state" in
			'')
				# Gone: nothing is left to forward, so the forwarded signals
				# are ignored from here on and cannot cut the next `wait`
				# short (bash kept returning 129 for three asks in a row
				# while a HUP flood went on, and its trap flag stayed unset).
				if ! "$_wp_deaf"; then
					trap '' HUP INT QUIT TERM USR1 USR2 WINCH ALRM
					_wp_deaf=true
					_wp_same=0
				fi
				if [ "$program_status" = "$_wp_last" ]; then
					_wp_same=$((_wp_same + 1))
				else
					_wp_same=1
				fi
				_wp_last=$program_status
				if [ "$_wp_same" -ge 3 ]; then
					break
				fi
				;;
			Z)
				_wp_last=$program_status
				{ : & } 2>/dev/null
				wait "$!" 2>/dev/null || :
				;;
			T | t)
				_wp_last=$program_status
				fifo_init_log 3 "$program_name is stopped (wait returned $program_status): checking again in a second"
				sleep 1 >/dev/null 2>&1 9<&- &
				wait "$!" 2>/dev/null || :
				;;
			'?')
				# No /proc: the trap's flag, and kill -0.
				_wp_last=$program_status
				if "$signal_seen"; then
					continue
				fi
				if ! process_exists "$child"; then
					break
				fi
				sleep 1 >/dev/null 2>&1 9<&- &
				wait "$!" 2>/dev/null || :
				;;
			*)
				_wp_last=$program_status
				if [ "$program_status" -lt 0 ]; then
					# bash's -1 for a running job: never spin on it.
					sleep 1 >/dev/null 2>&1 9<&- &
					wait "$!" 2>/dev/null || :
				fi
				;;
		esac
	done
	collected=true
	if [ "$program_status" -lt 0 ]; then
		# Once bash answers -1 for a job that is gone it always does: the
		# status is lost inside bash, and no exit code would be PROGRAM's.
		fifo_init_log 0 "the shell lost $program_name's exit status (bash's wait returned $program_status under a flood of signals); run fifo-init.sh with dash or busybox sh, or use the fifo-init executable"
		program_status=125
	fi
}

# reap_helper PID SIGNAL: ends one of the script's own background helpers
# (writer, timer) and waits until it is gone, so none outlives the script.
reap_helper() {
	kill -s "$2" "$1" 2>/dev/null || return 0
	_rh_tries=0
	while [ "$_rh_tries" -lt 100 ]; do
		_rh_tries=$((_rh_tries + 1))
		signal_seen=false
		_rh_status=0
		wait "$1" 2>/dev/null || _rh_status=$?
		if [ "$_rh_status" -le 128 ] || ! "$signal_seen"; then
			return 0
		fi
	done
}

# exit_with_program_status: the end: PROGRAM's status after -e remapping.
exit_with_program_status() {
	# The writers need no clean-up: KILL (a write of at most PIPE_BUF bytes
	# into a pipe is never cut in half). The timer kills its sleep first.
	if [ -n "$writer" ]; then
		end_helper "$writer" KILL
	fi
	if [ -n "$timer_pid" ]; then
		reap_helper "$timer_pid" VTALRM
	fi
	for _ep_helper in $helpers $relay; do
		end_helper "$_ep_helper" KILL
	done
	if [ "$leftover_grace_ms" -gt 0 ]; then
		end_leftovers
	fi
	_ep_code=$program_status
	case " $expect_codes " in
		*" $program_status "*) _ep_code=0 ;;
	esac
	fifo_init_log 2 "$program_name ended with status $program_status; exiting with $_ep_code"
	finish "$_ep_code"
}

# ------------------------------------------------------------ leftovers

# has_leftovers: as PID 1, kill -0 -1 (numbers: dash's kill takes `-s NAME
# -1` for an option) reaches every other process of the
# namespace (running or a zombie not yet reaped).
has_leftovers() {
	kill -0 -1 2>/dev/null
}

# reap_for TENTHS: waits a tenth of a second TENTHS times at most, or until
# nothing is left; dash and ash reap any child inside `wait`, bash on SIGCHLD.
# Returns 1 while something is left.
reap_for() {
	uptime_cs
	_rf_end=
	if [ -n "$now_cs" ]; then
		_rf_end=$((now_cs + $1 * 10))
	fi
	_rf_count=0
	while has_leftovers; do
		if [ -n "$_rf_end" ]; then
			uptime_cs
			if [ "$now_cs" -ge "$_rf_end" ]; then
				return 1
			fi
		elif [ "$_rf_count" -ge "$1" ]; then
			return 1
		fi
		_rf_count=$((_rf_count + 1))
		sleep "$reap_tick" >/dev/null 2>&1 9<&- &
		wait "$!" 2>/dev/null || :
	done
}

# end_leftovers: --leftover-grace: SIGTERM to every process PROGRAM left,
# reaping them for up to the grace, then SIGKILL. As PID 1 only: otherwise
# the orphans were reparented away from the script (see the warning at
# start-up). The exit code stays PROGRAM's.
end_leftovers() {
	if [ "$$" -ne 1 ] || ! has_leftovers; then
		return 0
	fi
	fifo_init_log 2 "$program_name exited; sending SIGTERM to every process left, waiting up to $leftover_grace"
	kill -15 -1 2>/dev/null || :
	if reap_for "$(((leftover_grace_ms + 99) / 100))"; then
		return 0
	fi
	fifo_init_log 1 "leftovers still running $leftover_grace after SIGTERM: sending SIGKILL"
	kill -9 -1 2>/dev/null || :
	reap_for 20 || :
}

# ------------------------------------------------------------ supervise

# supervise PROGRAM [ARGS...]: starts PROGRAM in the background with the
# FIFO (or our stdin) as fd 0, forwards signals until it has exited, and
# exits with its status.
supervise() {
	writer=
	timer_pid=
	helpers=
	relay=
	stop_step=0
	# When the shell cannot fork it complains on stderr and exits (2 in
	# dash and ash). PROGRAM needs that stderr, so a silenced fork just
	# before the spawn finds out first; on_exit then says it in one line,
	# with 125. (A fork that fails between the two still gets there, with
	# the shell's own line before ours.)
	{ : & } 2>/dev/null
	wait "$!" || :
	# A background job's stdin is /dev/null unless redirected, so without a
	# FIFO our stdin is kept on fd 9 and handed on from there.
	if [ -z "$fifo" ] && ! { command exec 9<&0; } 2>/dev/null; then
		run_program "$@" <&- &
	else
		run_program "$@" <&9 9<&- &
	fi
	_sv_pid=$!
	proc_start_time "$_sv_pid"
	child_start=$start_time
	child=$_sv_pid
	fifo_init_log 3 "started $1 as pid $child"
	if [ -n "$startup_lines" ]; then
		fifo_init_log 2 "writing the start-up commands into the FIFO"
		spawn_helper_writer "$startup_lines"
	fi
	if "$relay_stdin"; then
		start_relay
	fi
	# Signals that came before the pid was known.
	_sv_pending=$pending_signals
	pending_signals=
	# Unquoted on purpose: one signal name per word.
	for _sv_signal in $_sv_pending; do
		on_signal "$_sv_signal" || :
	done

	wait_program
	exit_with_program_status
}

# ------------------------------------------------------------ merged stdin

# stdin_relayable: the script's own stdin can feed the relay: open,
# readable, not /dev/null, and not a terminal whose foreground group is
# someone else's (a backgrounded init would be stopped by SIGTTIN, which it
# ignores, and then read EIO). Needs /proc.
stdin_relayable() {
	if [ ! -e /proc/self/fd/0 ]; then
		if [ ! -d /proc/self ]; then
			fifo_init_log 2 "cannot check stdin without /proc: it is not relayed into the FIFO"
		fi
		return 1
	fi
	_sr_null=1
	# shellcheck disable=SC3013,SC2319
	[ /proc/self/fd/0 -ef /dev/null ] 2>/dev/null && _sr_null=0
	if [ "$_sr_null" -eq 0 ]; then
		return 1
	fi
	_sr_flags=
	{ read -r _ _ && read -r _ _sr_flags; } <"/proc/$$/fdinfo/0" 2>/dev/null || :
	# The access mode is the lowest two bits: 1 is O_WRONLY.
	case "$_sr_flags" in
		*[15]) return 1 ;;
	esac
	if [ -t 0 ] && { read -r _sr_stat <"/proc/$$/stat"; } 2>/dev/null; then
		_sr_stat=${_sr_stat##*) }
		# shellcheck disable=SC2086 # split on purpose: state ppid pgrp session tty tpgid
		set -- $_sr_stat
		if [ "$#" -ge 6 ] && [ "$3" != "$6" ]; then
			return 1
		fi
	fi
	return 0
}

# start_relay: a background subshell copies complete lines of the script's
# stdin into the FIFO. A background job's stdin is /dev/null before its own
# redirections, so stdin goes through descriptor 8 for that one command.
start_relay() {
	{
		(
			open_fifo_writer
			relay_lines
		) <&8 8<&- &
	} 8<&0
	_sr_pid=$!
	proc_start_time "$_sr_pid"
	relay=$_sr_pid:$start_time
	fifo_init_log 3 "relaying complete lines of stdin into the FIFO (pid $_sr_pid)"
}

# relay_lines: the relay's loop. LC_ALL=C makes ${#line} count bytes in
# every shell (bash and busybox count characters in a UTF-8 locale). CRLF
# ends a line like LF; a last line without a newline is still a line; a
# line over PIPE_BUF-1 bytes is refused whole (it is already read, never
# split). `read` drops NUL bytes (dash, busybox sh and bash alike).
relay_lines() {
	LC_ALL=C
	export LC_ALL
	_rl_number=0
	while _rl_line=; IFS= read -r _rl_line || [ -n "$_rl_line" ]; do
		_rl_number=$((_rl_number + 1))
		_rl_line=${_rl_line%"$cr"}
		if [ "${#_rl_line}" -gt $((PIPE_BUF - 1)) ]; then
			fifo_init_log 1 "warning: stdin line $_rl_number is longer than $((PIPE_BUF - 1)) bytes: not written (a console command must be one atomic write)"
			continue
		fi
		printf '%s\n' "$_rl_line" 2>/dev/null || return 0
	done
	fifo_init_log 2 "stdin closed: the relay into the FIFO ended (PROGRAM and the FIFO go on)"
}

# ------------------------------------------------------ the command line

if [ "${1:-}" = send ]; then
	usage_error "the send command is only in the fifo-init executable; to run a program named send, use 'fifo-init.sh -- send'"
fi

# need_value OPTION [VALUE...]: the option's value must follow it.
need_value() {
	if [ "$#" -lt 2 ]; then
		usage_error "option '$1' needs a value"
	fi
}

# add_stop_command TEXT: one --stop-command; the first bad one is reported
# after --help had its chance, as the executable does.
add_stop_command() {
	opt_stop_steps="${opt_stop_steps}c $1$nl"
	if [ -z "$stop_error" ]; then
		check_stop_command --stop-command "$1" || :
	fi
}

# add_line SOURCE TEXT: one value of a repeatable option to opt_lines (one
# line each); checked as a stop command is, and reported the same way.
add_line() {
	opt_lines=$opt_lines$2$nl
	if [ -z "$stop_error" ]; then
		check_stop_command "$1" "$2" || :
	fi
}

# unsupported OPTION WHAT: an executable-only option.
unsupported() {
	usage_error "option '$1' ($2) is not available in fifo-init.sh, a shell cannot do it; use the fifo-init executable instead"
}

opt_fifo=
opt_fifo_set=false
opt_create=
opt_create_set=false
opt_exec=false
opt_expect=
opt_rewrite=
opt_stop_steps=
opt_startup=
opt_startup_set=false
opt_startup_file=
opt_startup_file_set=false
opt_signal_commands=
opt_signal_commands_set=false
opt_no_relay=false
opt_leftover_grace=
opt_leftover_grace_set=false
opt_expect_set=false
opt_rewrite_set=false
opt_stop_timeout=
opt_stop_timeout_set=false
stop_error=
verbose_count=0
want_help=false
want_version=false

while [ "$#" -gt 0 ]; do
	case "$1" in
		--)
			shift
			break
			;;
		-f | --fifo)
			need_value "$@"
			opt_fifo=$2 opt_fifo_set=true
			shift 2
			;;
		--fifo=*)
			opt_fifo=${1#*=} opt_fifo_set=true
			shift
			;;
		--create)
			opt_create='' opt_create_set=true
			shift
			;;
		--create=*)
			opt_create=${1#*=} opt_create_set=true
			shift
			;;
		--exec)
			opt_exec=true
			shift
			;;
		-e | --expect-exit)
			need_value "$@"
			opt_expect=$opt_expect$2$nl opt_expect_set=true
			shift 2
			;;
		--expect-exit=*)
			opt_expect=$opt_expect${1#*=}$nl opt_expect_set=true
			shift
			;;
		--stop-command)
			need_value "$@"
			add_stop_command "$2"
			shift 2
			;;
		--stop-command=*)
			add_stop_command "${1#*=}"
			shift
			;;
		--stop-wait)
			need_value "$@"
			opt_stop_steps="${opt_stop_steps}w $2$nl"
			shift 2
			;;
		--stop-wait=*)
			opt_stop_steps="${opt_stop_steps}w ${1#*=}$nl"
			shift
			;;
		--startup-command)
			need_value "$@"
			opt_lines=$opt_startup
			add_line --startup-command "$2"
			opt_startup=$opt_lines opt_startup_set=true
			shift 2
			;;
		--startup-command=*)
			opt_lines=$opt_startup
			add_line --startup-command "${1#*=}"
			opt_startup=$opt_lines opt_startup_set=true
			shift
			;;
		--startup-file)
			need_value "$@"
			opt_startup_file=$2 opt_startup_file_set=true
			shift 2
			;;
		--startup-file=*)
			opt_startup_file=${1#*=} opt_startup_file_set=true
			shift
			;;
		--signal-command)
			need_value "$@"
			opt_lines=$opt_signal_commands
			add_line --signal-command "$2"
			opt_signal_commands=$opt_lines opt_signal_commands_set=true
			shift 2
			;;
		--signal-command=*)
			opt_lines=$opt_signal_commands
			add_line --signal-command "${1#*=}"
			opt_signal_commands=$opt_lines opt_signal_commands_set=true
			shift
			;;
		--no-relay-stdin)
			opt_no_relay=true
			shift
			;;
		--leftover-grace)
			need_value "$@"
			opt_leftover_grace=$2 opt_leftover_grace_set=true
			shift 2
			;;
		--leftover-grace=*)
			opt_leftover_grace=${1#*=} opt_leftover_grace_set=true
			shift
			;;
		--lock-timeout | --lock-timeout=*) unsupported --lock-timeout 'the FIFO lock is flock(2)' ;;
		--preserve-fds | --preserve-fds=*) unsupported --preserve-fds 'the script passes every descriptor it has, it cannot choose' ;;
		--nofile-soft | --nofile-soft=*) unsupported --nofile-soft 'RLIMIT_NOFILE for PROGRAM' ;;
		--stop-timeout)
			need_value "$@"
			opt_stop_timeout=$2 opt_stop_timeout_set=true
			shift 2
			;;
		--stop-timeout=*)
			opt_stop_timeout=${1#*=} opt_stop_timeout_set=true
			shift
			;;
		-v | --verbose)
			verbose_count=$((verbose_count + 1))
			shift
			;;
		-h | --help)
			want_help=true
			shift
			;;
		--version)
			want_version=true
			shift
			;;
		--pipe-size | --pipe-size=*) unsupported --pipe-size 'F_SETPIPE_SZ' ;;
		-s | --subreaper) unsupported "$1" 'child subreaper' ;;
		-g | --kill-group) unsupported "$1" 'signals to the process group' ;;
		-p | --pdeath-signal | --pdeath-signal=*) unsupported "${1%%=*}" 'parent-death signal' ;;
		-r | --rewrite)
			need_value "$@"
			opt_rewrite=$opt_rewrite$2$nl opt_rewrite_set=true
			shift 2
			;;
		--rewrite=*)
			opt_rewrite=$opt_rewrite${1#*=}$nl opt_rewrite_set=true
			shift
			;;
		-w | --warn-reap) unsupported "$1" 'log each reaped zombie' ;;
		--exec=* | --verbose=* | --help=* | --version=* | --subreaper=* | --kill-group=* | --warn-reap=* | --no-relay-stdin=*)
			usage_error "option '${1%%=*}' takes no value"
			;;
		--*) usage_error "unknown option '${1%%=*}'" ;;
		-[!-]?*)
			# A cluster: -vv is -v -v; -fPATH and -e3 carry the value.
			_cl_rest=${1#-?}
			_cl_option=${1%"$_cl_rest"}
			shift
			case "$_cl_option" in
				-f | -e | -p | -r) set -- "$_cl_option" "$_cl_rest" "$@" ;;
				*) set -- "$_cl_option" "-$_cl_rest" "$@" ;;
			esac
			;;
		-?) usage_error "unknown option '$1'" ;;
		*) break ;;
	esac
done

# ------------------------------------------------ values, in the executable's order

if "$want_help"; then
	usage
	finish 0
fi
if "$want_version"; then
	printf 'fifo-init.sh %s\n' "$FIFO_INIT_VERSION"
	finish 0
fi
if [ "$#" -eq 0 ] || [ -z "$1" ]; then
	usage_error "no PROGRAM given: say what to run, e.g. fifo-init.sh --fifo /service/command_pipe -- myservice"
fi
program_name=$1

if "$opt_fifo_set"; then
	if [ -z "$opt_fifo" ]; then
		usage_error "invalid --fifo '': expected a path"
	fi
	fifo=$opt_fifo
else
	fifo=${FIFO_INIT_FIFO:-}
fi

# check_create_mode SOURCE TEXT: the init opens the FIFO read/write as its
# owner, so a mode without owner read and write could never be used.
check_create_mode() {
	if [ "$((create_mode & 0600))" -ne "$((0600))" ]; then
		usage_error "invalid $1 mode '$2': the owner needs read and write (0600), as fifo-init opens the FIFO read/write"
	fi
}

create_mode=
if "$opt_create_set"; then
	if [ -z "$opt_create" ]; then
		create_mode=$DEFAULT_CREATE_MODE
	elif parse_mode "$opt_create"; then
		create_mode=$mode
		check_create_mode --create "$opt_create"
	else
		usage_error "invalid --create mode '$opt_create': expected an octal mode such as 0600 or 0660"
	fi
elif env_flag "${FIFO_INIT_CREATE:-}"; then
	case "$trimmed" in
		1 | [Tt][Rr][Uu][Ee] | [Yy][Ee][Ss] | [Oo][Nn]) create_mode=$DEFAULT_CREATE_MODE ;;
		*)
			if parse_mode "$FIFO_INIT_CREATE"; then
				create_mode=$mode
				check_create_mode FIFO_INIT_CREATE "$FIFO_INIT_CREATE"
			else
				usage_error "invalid FIFO_INIT_CREATE '$FIFO_INIT_CREATE': expected a flag (1) or an octal mode such as 0660"
			fi
			;;
	esac
fi

# env_list VALUE: sets list to VALUE's words (separated by commas, spaces or
# newlines), one per line, as the executable reads FIFO_INIT_EXPECT_EXIT
# and FIFO_INIT_REWRITE.
env_list() {
	list=
	_el_rest=$1,
	while [ -n "$_el_rest" ]; do
		_el_word=${_el_rest%%[,[:space:]]*}
		_el_rest=${_el_rest#"$_el_word"}
		_el_rest=${_el_rest#?}
		if [ -n "$_el_word" ]; then
			list=$list$_el_word$nl
		fi
	done
}

# The command line's -e and -r replace FIFO_INIT_EXPECT_EXIT and FIFO_INIT_REWRITE.
if ! "$opt_expect_set"; then
	env_list "${FIFO_INIT_EXPECT_EXIT:-}"
	opt_expect=$list
fi
if ! "$opt_rewrite_set"; then
	env_list "${FIFO_INIT_REWRITE:-}"
	opt_rewrite=$list
fi

expect_codes=
_ex_list=$opt_expect
while [ -n "$_ex_list" ]; do
	_ex_text=${_ex_list%%"$nl"*}
	_ex_list=${_ex_list#*"$nl"}
	if ! parse_exit_code "$_ex_text"; then
		usage_error "invalid -e '$_ex_text': expected an exit code from 0 to 255"
	fi
	expect_codes="$expect_codes $exit_code"
done

# signal_name TEXT: TERM for TERM, SIGTERM, term or 15; sets $signal, or fails.
# Only the names a shell's kill -s knows on Linux, and numbers up to 64.
signal_name() {
	_sn=$(printf '%s' "$1" | tr '[:lower:]' '[:upper:]')
	_sn=${_sn#SIG}
	case "$_sn" in
		1) _sn=HUP ;; 2) _sn=INT ;; 3) _sn=QUIT ;; 10) _sn=USR1 ;; 12) _sn=USR2 ;; 15) _sn=TERM ;; 28) _sn=WINCH ;;
	esac
	case "$_sn" in
		HUP | INT | QUIT | ILL | TRAP | ABRT | BUS | FPE | KILL | USR1 | SEGV | USR2 | PIPE | ALRM | TERM | STKFLT | CHLD | CONT | STOP | TSTP | TTIN | TTOU | URG | XCPU | XFSZ | VTALRM | PROF | WINCH | IO | PWR | SYS)
			signal=$_sn
			return 0
			;;
		'' | *[!0-9]*) return 1 ;;
	esac
	_sn=$(printf '%s' "$_sn" | sed 's/^0*//')
	[ -n "$_sn" ] && [ "$_sn" -le 64 ] || return 1
	signal=$_sn
}

# --rewrite FROM:TO pairs, as "FROM=TO " words (TO 0 drops). FROM must be a
# signal the script forwards, or the rewrite could never happen.
rewrites=
_rw_list=$opt_rewrite
while [ -n "$_rw_list" ]; do
	_rw_text=${_rw_list%%"$nl"*}
	_rw_list=${_rw_list#*"$nl"}
	case "$_rw_text" in
		?*:?*) ;;
		*) usage_error "invalid --rewrite '$_rw_text': expected FROM:TO, e.g. TERM:USR1 or HUP:DROP" ;;
	esac
	case "$_rw_text" in *:*:*) usage_error "invalid --rewrite '$_rw_text': expected FROM:TO, e.g. TERM:USR1 or HUP:DROP" ;; esac
	if ! signal_name "${_rw_text%%:*}"; then
		usage_error "invalid --rewrite '$_rw_text': expected a signal name or number"
	fi
	case " $FORWARDED_SIGNALS " in
		*" $signal "*) _rw_from=$signal ;;
		*) usage_error "invalid --rewrite '$_rw_text': fifo-init.sh forwards only $FORWARDED_SIGNALS, so it never sees that signal" ;;
	esac
	case "${_rw_text#*:}" in
		0 | [Dd][Rr][Oo][Pp]) _rw_to=0 ;;
		*)
			if ! signal_name "${_rw_text#*:}"; then
				usage_error "invalid --rewrite '$_rw_text': expected a signal name or number, or 0/DROP"
			fi
			_rw_to=$signal
			;;
	esac
	rewrites="$rewrites$_rw_from=$_rw_to "
done

# env_lines VALUE: sets lines to VALUE's lines, one per line: CRLF ends a
# line like LF (as the executable's split on /\r?\n/), empty lines are
# skipped; a lone CR elsewhere stays, and is refused by check_stop_command.
env_lines() {
	lines=
	if [ -z "$1" ]; then
		return 0
	fi
	# Only now: need_cr forks, and a fork is the first thing to fail under a process limit.
	need_cr
	_el_rest=$1
	while [ -n "$_el_rest" ]; do
		_el_text=${_el_rest%%"$nl"*}
		case "$_el_rest" in
			*"$nl"*) _el_rest=${_el_rest#*"$nl"} ;;
			*) _el_rest= ;;
		esac
		_el_text=${_el_text%"$cr"}
		if [ -n "$_el_text" ]; then
			lines=$lines$_el_text$nl
		fi
	done
}

# check_lines SOURCE LINES: each line is a console line (check_stop_command);
# the first bad one is kept in stop_error.
check_lines() {
	_cl_rest=$2
	while [ -n "$_cl_rest" ] && [ -z "$stop_error" ]; do
		check_stop_command "$1" "${_cl_rest%%"$nl"*}" || :
		_cl_rest=${_cl_rest#*"$nl"}
	done
}

# duration_arg SOURCE TEXT: sets duration_ms, or a usage error naming SOURCE.
duration_arg() {
	if ! parse_duration "$2"; then
		usage_error "invalid $1 '$2': expected a duration such as 500ms, 30s or 2m, at most 2147483647ms"
	fi
}

# sleep_arg MS: sets seconds to what `sleep` takes for MS: fractions in
# coreutils and busybox; others get whole seconds, rounded up.
sleep_arg() {
	seconds=$(($1 / 1000))
	if [ $(($1 % 1000)) -ne 0 ]; then
		if "$sleep_fractions"; then
			_sa_millis=$(($1 % 1000 + 1000))
			seconds=$seconds.${_sa_millis#1}
		else
			seconds=$((seconds + 1))
		fi
	fi
}

# The stop sequence: the command line's --stop-command and --stop-wait in
# the order given; else FIFO_INIT_STOP_SEQUENCE (lines `command TEXT` and
# `wait DURATION`) or FIFO_INIT_STOP_COMMAND (one command per line), not
# both. Kept as lines `c TEXT` and `w MS` until the pauses are known.
if [ -n "$opt_stop_steps" ]; then
	_ss_steps=$opt_stop_steps
else
	_ss_steps=
	if [ -n "${FIFO_INIT_STOP_SEQUENCE:-}" ] && [ -n "${FIFO_INIT_STOP_COMMAND:-}" ]; then
		usage_error "set FIFO_INIT_STOP_SEQUENCE or FIFO_INIT_STOP_COMMAND, not both"
	fi
	if [ -n "${FIFO_INIT_STOP_SEQUENCE:-}" ]; then
		env_lines "$FIFO_INIT_STOP_SEQUENCE"
		while [ -n "$lines" ]; do
			_ss_text=${lines%%"$nl"*}
			lines=${lines#*"$nl"}
			case "$_ss_text" in
				"command "*)
					if [ -z "$stop_error" ]; then
						check_stop_command FIFO_INIT_STOP_SEQUENCE "${_ss_text#command }" || :
					fi
					_ss_steps="${_ss_steps}c ${_ss_text#command }$nl"
					;;
				"wait "*) _ss_steps="${_ss_steps}w ${_ss_text#wait }$nl" ;;
				*) usage_error "invalid FIFO_INIT_STOP_SEQUENCE line '$_ss_text': expected 'command TEXT' or 'wait DURATION'" ;;
			esac
		done
	else
		env_lines "${FIFO_INIT_STOP_COMMAND:-}"
		check_lines FIFO_INIT_STOP_COMMAND "$lines"
		while [ -n "$lines" ]; do
			_ss_steps="${_ss_steps}c ${lines%%"$nl"*}$nl"
			lines=${lines#*"$nl"}
		done
	fi
fi
if [ -n "$stop_error" ]; then
	usage_error "$stop_error"
fi

if "$opt_stop_timeout_set"; then
	stop_timeout=$opt_stop_timeout
else
	stop_timeout=${FIFO_INIT_STOP_TIMEOUT:-$DEFAULT_STOP_TIMEOUT}
fi
if ! parse_duration "$stop_timeout"; then
	usage_error "invalid --stop-timeout '$stop_timeout': expected a duration such as 500ms, 30s or 2m"
fi
stop_timeout_ms=$duration_ms

sleep_fractions=false
if [ -n "$_ss_steps" ]; then
	if sleep 0.001 2>/dev/null; then
		sleep_fractions=true
	fi
fi

# stop_steps: lines `c TEXT` and `w MS SECONDS` (SECONDS for sleep);
# stop_commands and stop_count: its commands.
stop_steps=
stop_commands=
stop_count=0
while [ -n "$_ss_steps" ]; do
	_ss_step=${_ss_steps%%"$nl"*}
	_ss_steps=${_ss_steps#*"$nl"}
	case "$_ss_step" in
		"c "*)
			stop_steps=$stop_steps$_ss_step$nl
			stop_commands=$stop_commands${_ss_step#c }$nl
			stop_count=$((stop_count + 1))
			;;
		*)
			if [ -n "$opt_stop_steps" ]; then
				duration_arg --stop-wait "${_ss_step#w }"
			else
				duration_arg 'FIFO_INIT_STOP_SEQUENCE wait' "${_ss_step#w }"
			fi
			sleep_arg "$duration_ms"
			stop_steps="${stop_steps}w $duration_ms $seconds$nl"
			;;
	esac
done
if [ -n "$stop_steps" ] && [ "$stop_count" -eq 0 ]; then
	usage_error "--stop-wait needs a --stop-command: a stop sequence of pauses alone would type nothing"
fi
if [ "$stop_count" -gt 0 ]; then
	sleep_arg "$stop_timeout_ms"
	stop_sleep_seconds=$seconds
fi

# Start-up commands: the command line's, else FIFO_INIT_STARTUP_COMMAND (one
# per line); then the lines of --startup-file / FIFO_INIT_STARTUP_FILE.
if "$opt_startup_set"; then
	startup_lines=$opt_startup
else
	env_lines "${FIFO_INIT_STARTUP_COMMAND:-}"
	startup_lines=$lines
	check_lines FIFO_INIT_STARTUP_COMMAND "$startup_lines"
fi
if "$opt_startup_file_set"; then
	startup_file=$opt_startup_file
	if [ -z "$startup_file" ]; then
		usage_error "invalid --startup-file '': expected a path"
	fi
else
	startup_file=${FIFO_INIT_STARTUP_FILE:-}
fi

# Signal commands: the command line's, else FIFO_INIT_SIGNAL_COMMAND (one per
# line), as lines `NAME TEXT`.
if "$opt_signal_commands_set"; then
	_sg_source=--signal-command
	_sg_list=$opt_signal_commands
else
	_sg_source=FIFO_INIT_SIGNAL_COMMAND
	env_lines "${FIFO_INIT_SIGNAL_COMMAND:-}"
	_sg_list=$lines
	check_lines FIFO_INIT_SIGNAL_COMMAND "$_sg_list"
fi
if [ -n "$stop_error" ]; then
	usage_error "$stop_error"
fi
signal_commands=
while [ -n "$_sg_list" ]; do
	_sg_text=${_sg_list%%"$nl"*}
	_sg_list=${_sg_list#*"$nl"}
	case "$_sg_text" in
		?*:?*) ;;
		*) usage_error "invalid $_sg_source '$_sg_text': expected SIGNAL:COMMAND, e.g. USR1:save-all" ;;
	esac
	if ! signal_name "${_sg_text%%:*}"; then
		usage_error "invalid $_sg_source '$_sg_text': expected a signal name or number"
	fi
	case "$signal" in
		TERM | INT) usage_error "$_sg_source '$_sg_text': SIGTERM and SIGINT start the stop sequence; use --stop-command for them" ;;
		HUP | QUIT | USR1 | USR2 | WINCH) ;;
		*) usage_error "invalid $_sg_source '$_sg_text': fifo-init.sh traps only $FORWARDED_SIGNALS, so it never sees that signal; use the fifo-init executable" ;;
	esac
	case " $rewrites" in
		*" $signal="*) usage_error "$signal has both --rewrite and --signal-command: choose one" ;;
	esac
	signal_commands="$signal_commands$signal ${_sg_text#*:}$nl"
done

# Merged stdin: on unless --no-relay-stdin or FIFO_INIT_RELAY_STDIN is off
# (set but empty is off, as in the executable).
relay_stdin=true
if "$opt_no_relay" || { [ -n "${FIFO_INIT_RELAY_STDIN+set}" ] && ! env_flag "$FIFO_INIT_RELAY_STDIN"; }; then
	relay_stdin=false
fi

if "$opt_leftover_grace_set"; then
	leftover_grace=$opt_leftover_grace
else
	leftover_grace=${FIFO_INIT_LEFTOVER_GRACE:-}
fi
leftover_grace_ms=0
if [ -n "$leftover_grace" ] || "$opt_leftover_grace_set"; then
	duration_arg --leftover-grace "$leftover_grace"
	leftover_grace_ms=$duration_ms
fi

if ! "$opt_exec" && env_flag "${FIFO_INIT_EXEC:-}"; then
	opt_exec=true
fi

if [ -z "$fifo" ]; then
	if [ "$stop_count" -gt 0 ]; then
		usage_error "--stop-command needs --fifo: the stop command is written into the FIFO"
	fi
	if [ -n "$startup_lines" ] || [ -n "$startup_file" ]; then
		usage_error "--startup-command and --startup-file need --fifo: they are written into the FIFO"
	fi
	if [ -n "$signal_commands" ]; then
		usage_error "--signal-command needs --fifo: the command is written into the FIFO"
	fi
	if [ -n "$create_mode" ]; then
		usage_error "--create needs --fifo: it says which FIFO to create"
	fi
	relay_stdin=false
fi
if "$opt_exec" && [ "$stop_count" -gt 0 ]; then
	usage_error "--stop-command cannot work with --exec: nothing of fifo-init stays to write it"
fi
if "$opt_exec" && { [ -n "$startup_lines" ] || [ -n "$startup_file" ] || [ -n "$signal_commands" ] || [ "$leftover_grace_ms" -gt 0 ]; }; then
	usage_error "--startup-command, --startup-file, --signal-command and --leftover-grace cannot work with --exec: nothing of fifo-init stays"
fi

# Verbosity: FIFO_INIT_VERBOSITY, else tini's TINI_VERBOSITY on tini's scale
# (0 -> 0, 1 and 2 -> 1, 3 -> 2, 4 and up -> 3), plus one per -v.
_vb_base=1
if [ -n "${FIFO_INIT_VERBOSITY:-}" ]; then
	trim "$FIFO_INIT_VERBOSITY"
	case "$trimmed" in
		[0-3]) _vb_base=$trimmed ;;
		*) usage_error "invalid FIFO_INIT_VERBOSITY '$FIFO_INIT_VERBOSITY': expected a level from 0 to 3" ;;
	esac
elif [ -n "${TINI_VERBOSITY:-}" ]; then
	trim "$TINI_VERBOSITY"
	case "$trimmed" in
		[0-9] | [0-9][0-9] | [0-9][0-9][0-9]) ;;
		*) usage_error "invalid TINI_VERBOSITY '$TINI_VERBOSITY': expected a number, as tini's -v count" ;;
	esac
	strip_zeros "$trimmed"
	case "$number" in
		0) _vb_base=0 ;; 1 | 2) _vb_base=1 ;; 3) _vb_base=2 ;; *) _vb_base=3 ;;
	esac
fi
verbosity=$((_vb_base + verbose_count))
if [ "$verbosity" -gt 3 ]; then
	verbosity=3
fi

# The environment twins of the options a shell cannot honour are usage
# errors naming the executable, as the options are. tini's own variables
# (TINI_SUBREAPER, TINI_KILL_PROCESS_GROUP) are often inherited from a base
# image, so they only warn.
# unsupported_env NAME WHAT: an executable-only variable.
unsupported_env() {
	usage_error "$1 ($2) is not available in fifo-init.sh, a shell cannot do it; unset it or use the fifo-init executable"
}
if [ -n "${FIFO_INIT_PIPE_SIZE:-}" ]; then
	unsupported_env FIFO_INIT_PIPE_SIZE 'F_SETPIPE_SZ'
fi
if [ -n "${FIFO_INIT_LOCK_TIMEOUT:-}" ]; then
	unsupported_env FIFO_INIT_LOCK_TIMEOUT 'the FIFO lock is flock(2)'
fi
if [ -n "${FIFO_INIT_PDEATH_SIGNAL:-}" ]; then
	unsupported_env FIFO_INIT_PDEATH_SIGNAL 'parent-death signal'
fi
if [ -n "${FIFO_INIT_PRESERVE_FDS:-}" ]; then
	unsupported_env FIFO_INIT_PRESERVE_FDS 'the script passes every descriptor it has, it cannot choose'
fi
if [ -n "${FIFO_INIT_NOFILE_SOFT:-}" ]; then
	unsupported_env FIFO_INIT_NOFILE_SOFT 'RLIMIT_NOFILE for PROGRAM'
fi
if env_flag "${FIFO_INIT_WARN_REAP:-}"; then
	unsupported_env FIFO_INIT_WARN_REAP 'log each reaped zombie'
fi
if env_flag "${FIFO_INIT_KILL_PROCESS_GROUP:-}"; then
	unsupported_env FIFO_INIT_KILL_PROCESS_GROUP 'signals to the process group'
fi
if [ "$$" -ne 1 ] && env_flag "${FIFO_INIT_SUBREAPER:-}"; then
	unsupported_env FIFO_INIT_SUBREAPER 'child subreaper; as PID 1 the script reaps anyway'
fi
if [ "$$" -ne 1 ] && [ -n "${TINI_SUBREAPER+set}" ]; then
	fifo_init_log 1 "warning: TINI_SUBREAPER is ignored: fifo-init.sh cannot register as child subreaper; use the fifo-init executable"
fi
if [ -n "${TINI_KILL_PROCESS_GROUP+set}" ]; then
	fifo_init_log 1 "warning: TINI_KILL_PROCESS_GROUP is ignored: fifo-init.sh signals PROGRAM only, not its group; use the fifo-init executable"
fi
if [ "$leftover_grace_ms" -gt 0 ] && [ "$$" -ne 1 ]; then
	fifo_init_log 1 "warning: --leftover-grace only acts when fifo-init.sh is PID 1: otherwise PROGRAM's leftovers are reparented away from the script (a shell cannot become a child subreaper); use the fifo-init executable"
fi

# read_startup_file: appends the lines of startup_file to startup_lines
# (CRLF or LF; empty lines skipped; a last line without a newline counts),
# before PROGRAM starts: a file that cannot be read, or a line that is not
# one console line, is the init's failure (125). `read` drops NUL bytes.
read_startup_file() {
	safe_path "$startup_file"
	if [ -d "$startup_file" ]; then
		fail 125 "cannot read --startup-file $startup_file: it is a directory"
	fi
	if [ -p "$startup_file" ]; then
		fail 125 "cannot read --startup-file $startup_file: it is a FIFO (reading it would block the start-up)"
	fi
	if ! { command exec 8<"$safe"; } 2>/dev/null; then
		if [ ! -e "$startup_file" ]; then
			fail 125 "cannot read --startup-file $startup_file: no such file"
		fi
		fail 125 "cannot read --startup-file $startup_file: permission denied"
	fi
	need_cr
	_rf_text=
	while IFS= read -r _rf_line <&8 || [ -n "$_rf_line" ]; do
		_rf_text=$_rf_text$_rf_line$nl
		_rf_line=
	done
	exec 8<&-
	env_lines "$_rf_text"
	check_lines --startup-file "$lines"
	if [ -n "$stop_error" ]; then
		fail 125 "$startup_file: $stop_error"
	fi
	startup_lines=$startup_lines$lines
}

# ------------------------------------------------------------------ run

if [ -n "$fifo" ]; then
	open_fifo
fi
check_program "$1"

# coreutils env (8.31+) can put every signal back to default for PROGRAM.
# Called by its path: busybox sh may prefer its own applet for a bare `env`.
# Not for a PROGRAM with '=' in its name: env would take it for a variable.
# With --stop-command, INT and QUIT stay ignored for PROGRAM (see run_program).
keep_int_ignored=false
if [ "$stop_count" -gt 0 ]; then
	keep_int_ignored=true
fi
reset_env=
case "$1" in
	*=*) ;;
	*)
		if find_in_path env && { "$found" --default-signal --ignore-signal=INT true >/dev/null; } 2>/dev/null; then
			reset_env=$found
		fi
		;;
esac

if "$opt_exec"; then
	fifo_init_log 3 "replacing fifo-init.sh with $1"
	trap - TTIN TTOU PIPE
	# A failed exec is the shell's own 126/127, not an internal error.
	exiting=true
	if [ -n "$fifo" ]; then
		exec_program "$@" <&9 9<&-
	fi
	exec_program "$@"
fi

if [ "$stop_count" -gt 0 ] && ! "$sleep_fractions" && [ $((stop_timeout_ms % 1000)) -ne 0 ]; then
	fifo_init_log 2 "sleep takes whole seconds here: the stop timeout is ${stop_sleep_seconds}s"
fi
if [ -n "$startup_file" ]; then
	read_startup_file
fi
if "$relay_stdin" && ! stdin_relayable; then
	relay_stdin=false
fi
if "$relay_stdin"; then
	need_cr
fi
if [ "$leftover_grace_ms" -gt 0 ]; then
	reap_tick=1
	if sleep 0.001 2>/dev/null; then
		reap_tick=0.1
	fi
fi
if [ -z "$reset_env" ] && [ -z "${BASH_VERSION:-}" ]; then
	# Worth a warning where Ctrl-C is expected to work: on a terminal.
	_ig_level=2
	if [ -t 0 ] || [ -t 2 ]; then
		_ig_level=1
	fi
	fifo_init_log "$_ig_level" "warning: $1 starts with SIGINT and SIGQUIT ignored (this shell cannot reset them for a background job, and env has no --default-signal): forwarded INT and QUIT only act if $1 handles them; run fifo-init.sh with bash, install coreutils, or use the fifo-init executable"
fi
supervise "$@"
