#!/bin/sh
# A tiny service with a console on stdin, like a game server:
#   say TEXT  print TEXT          save  write the world file ($1)
#   stop      save, then exit 0   (SIGTERM is ignored: only `stop` saves)
world=${1:-/tmp/world}
trap '' TERM
echo "[service] ready, pid $$"
while IFS= read -r line; do
  case $line in
    say\ *) echo "[service] <console> ${line#say }" ;;
    save) date > "$world"; echo "[service] world saved to $world" ;;
    stop) date > "$world"; echo "[service] saved, stopping"; exit 0 ;;
    *) echo "[service] unknown command: $line" ;;
  esac
done
