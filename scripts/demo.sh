#!/usr/bin/env bash
# Builds fifo-init and shows it working: a console service runs under
# fifo-init with a FIFO as its stdin; a start-up command is typed as soon as
# it starts; commands arrive from outside; SIGTERM (what `docker stop` sends)
# becomes a stop sequence: an announcement, a one-second pause, then a console
# `stop`, and the service saves.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
node_modules/.bin/node build/build.mjs --no-arm64

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fifo=$dir/command_pipe
say() { printf '\n\033[1m# %s\033[0m\n' "$*"; }

say "On the host: mkfifo -m 0600 $fifo"
mkfifo -m 0600 "$fifo"

say "ENTRYPOINT: fifo-init --fifo $fifo --startup-command 'say typed at start-up' --stop-command 'say stopping in 1 second' --stop-wait 1s --stop-command stop -- examples/console-service.sh"
dist/fifo-init --fifo "$fifo" --startup-command 'say typed at start-up' \
  --stop-command 'say stopping in 1 second' --stop-wait 1s --stop-command stop --stop-timeout 5s \
  -v -- examples/console-service.sh "$dir/world" </dev/null &
init=$!
# Wait until fifo-init holds the FIFO: `send` fails at once (69) while nobody reads it.
for _ in $(seq 50); do dist/fifo-init send --fifo "$fifo" 'say hello from the host' 2>/dev/null && break; sleep 0.1; done

say "Operator: fifo-init send --fifo $fifo 'say two lines' 'save'"
dist/fifo-init send --fifo "$fifo" 'say two lines' 'save'
sleep 0.3
say "Anyone who can write the FIFO (bounded with timeout, since a plain echo blocks when no one reads):"
timeout 5 sh -c "echo 'say written by plain echo' > '$fifo'"
sleep 0.3

say "docker stop sends SIGTERM to PID 1: kill -TERM $init (the announcement, a 1 s pause, then stop)"
started=$SECONDS
kill -TERM "$init"
status=0
wait "$init" || status=$?
say "fifo-init exited with $status (the service's own code) after about $((SECONDS - started)) s; world file: $(cat "$dir/world" 2>/dev/null || echo MISSING)"

say "With the service gone, send fails at once instead of hanging:"
code=0
dist/fifo-init send --fifo "$fifo" 'say anyone there?' || code=$?
echo "exit code $code (69 = no reader)"
