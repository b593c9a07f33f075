#!/usr/bin/env bash
# Proves the behaviour tests can fail: for each known-broken variant of the
# source (a "mutant"), builds it in a scratch copy and runs the tests that
# guard that behaviour; every mutant must make at least one of them fail.
# Not part of `npm test` (a build per mutant); run by hand: npm run mutants
# (ONLY=REGEX npm run mutants: just the matching ones).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
NODE=$root/node_modules/.bin/node

# file @@ perl substitution(s), %%-separated, each must match @@ vitest -t filter @@ test file(s)
mutants=(
  "src/sys/libc.ts@@s/POSIX_SPAWN_SETPGROUP \| POSIX_SPAWN_SETSIGDEF/POSIX_SPAWN_SETSIGDEF/@@process group of its own@@init"
  "src/sys/libc.ts@@s/for \(const signal of \[32, 33\]\) addToSignalSet\(allSignals, signal\);//@@no descriptor of the init leaks@@init"
  "src/signals.ts@@s/libc.unblockSignal\(entry.number\);//@@SIGUSR1@@init"
  "src/reap.ts@@s/if \(process.pid === 1\) return;/return;/@@orphans leave no zombie@@init"
  "src/fifo.ts@@s/fsc.O_RDWR \| fsc.O_NONBLOCK/fsc.O_RDONLY | fsc.O_NONBLOCK/@@successive writers never cause EOF@@init"
  "src/signals.ts@@s/target.group \? -target.pid : target.pid/target.pid/@@reaches a grandchild@@init"
  "src/spawn.ts@@s/return \[0, 1, 2\].find/return undefined; [0, 1, 2].find/@@foreground group@@init"
  "build/build.mjs@@s/execArgvExtension: 'none',//@@NODE_OPTIONS@@init"
  "src/stop.ts@@s/if \(this.stopping\) return false;/return false;/@@console@@console"
  "src/stop.ts@@s/fsc.O_WRONLY \| fsc.O_NONBLOCK/fsc.O_WRONLY/@@full FIFO never blocks@@console"
  "src/stop.ts@@s/this.stopping = true;/this.stopping = false;/@@second SIGTERM@@console"
  "src/send.ts@@s/fsc.O_WRONLY \| fsc.O_NONBLOCK \| fsc.O_NOCTTY/fsc.O_WRONLY | fsc.O_NOCTTY/@@no reader@@send"
  "src/send.ts@@s/if \(line.length > PIPE_BUF\)/if (false)/@@longer than PIPE_BUF@@send"
  "src/send.ts@@s/if \(!stats.isFIFO\(\)\) throw/if (false) throw/%%s/if \(!fstatSync\(fd\).isFIFO\(\)\)/if (false)/@@nothing created or written@@send"
  "src/fifo.ts@@s/fchmodSync\(fd, options.createMode!\);//@@whatever the umask@@console"
  "src/signals.ts@@s/return rewrite.get\(signal\) \?\? signal;/return signal;/@@TERM:USR1@@console"
  "src/exec.ts@@s/libc.resetAllSignals\(maxSignal\(\)\);//@@every signal is at its default@@console"
  "src/fifo.ts@@s/\(opened.mode & 0o002\) !== 0/false/@@writable by everyone@@init"
  "src/fifo.ts@@s/if \(code === 'EACCES' \|\| code === 'EPERM'\) throw new InitError\(permissionMessage/if (false) throw new InitError(permissionMessage/@@permission denied@@init"
  "src/fifo.ts@@s/Docker creates a directory/a directory was created/@@a directory@@init"
  "src/supervisor.ts@@s/const KEEP_ALIVE_MS = 2 \*\* 31 - 1;/const KEEP_ALIVE_MS = 500;/@@no periodic wake-ups@@init"
  "src/supervisor.ts@@s/libc.setParentDeathSignal\(options.parentDeathSignal\);/void 0;/@@parent dies@@init"
  "src/reap.ts@@s/\} else if \(this.warnOnReap\) \{/} else if (false) {/@@logs each reaped zombie@@init"
  "src/spawn.ts@@s/for \(const fd of \[0, 1, 2\]\)/for (const fd of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15])/@@no descriptor of the init leaks@@init"
  "src/spawn.ts@@s/EXIT.NOT_FOUND\)/EXIT.NOT_EXECUTABLE)/@@127 when PROGRAM@@init"
  "src/exit-status.ts@@s/128 \+ termination.signal/termination.signal/@@kill -TERM@@init"
  "src/fifo.ts@@s/if \(problem\) throw new InitError\(problem\);//%%s/if \(raced\) throw new InitError\(raced\);//@@regular file@@init"
  "fifo-init.sh@@s/command exec 9<>/command exec 9</@@successive writers never cause EOF@@init"
  "fifo-init.sh@@s/^trap 'note_signal TERM \|\| :' TERM\n//m@@each forwarded signal reaches PROGRAM \(PID 1\)@@init"
  "fifo-init.sh@@s/\] && \[ \x22\x24program_status\x22 -le 128 \]/] \&\& [ \x22\x24program_status\x22 -le 99999 ]/@@each forwarded signal reaches PROGRAM \(PID 1\)@@init"
  # shell hardening (\x22 is ", \x24 is $: the lines stay plain in bash's double quotes)
  "fifo-init.sh@@s/exec mkfifo \x22\x24\@\x22 \x22\x24safe\x22 2>&1\); then/exec mkfifo \x22\x24safe\x22 2>\&1) \&\& chmod \x22\x24create_mode\x22 \x22\x24fifo\x22; then/@@chmods nothing by path@@shell-hardening"
  "fifo-init.sh@@s/if \[ \x22\x24\(\(create_mode & 0600\)\)\x22 -ne/if [ 384 -ne/@@exactly MODE@@shell-hardening"
  "fifo-init.sh@@s/if \[ -n \x22\x24create_mode\x22 \] && \[ -L \x22\x24fifo\x22 \]; then\n\t\trefuse_link/if false; then\n\t\trefuse_link/%%s/if \[ -n \x22\x24create_mode\x22 \] && \[ -L \x22\x24fifo\x22 \]; then\n\t\texec 9<&-\n\t\trefuse_link/if false; then\n\t\texec 9<\&-\n\t\trefuse_link/@@symlink at a --create path@@shell-hardening"
  "fifo-init.sh@@s/\t\t_sc_text=\x24\{_sc_text%\x22\x24cr\x22\}\n//@@CRLF@@shell-hardening"
  "fifo-init.sh@@s/\*\x22\x24nl\x22\* \| \*\x22\x24cr\x22\*\)/*\x22\x24nl\x22*)/@@CR or LF inside@@shell-hardening"
  "fifo-init.sh@@s/^trap '' TTIN TTOU PIPE\n/trap '' PIPE\n/m@@SIGTTIN@@shell-hardening"
  "fifo-init.sh@@s/\t\texec 9>&-\n\t\tstop_timer/\t\tstop_timer/@@stop timer holds no FIFO@@shell-hardening"
  "fifo-init.sh@@s/reap_helper \x22\x24timer_pid\x22 VTALRM/:/@@PROGRAM dying during a stop@@shell-hardening"
  "fifo-init.sh@@s/^trap 'note_signal HUP \|\| :' HUP\n/trap - HUP\n/m@@flood@@shell-hardening"
  "fifo-init.sh@@s/^trap '' TTIN TTOU PIPE\n/trap '' TTIN TTOU\n/m@@broken stderr@@shell-hardening"
  "fifo-init.sh@@s/\t\t\tT \| t\)/\t\t\tT)/@@ptrace@@shell-hardening"
  "fifo-init.sh@@s/\{ \x22\x24found\x22 --default-signal --ignore-signal=INT true >\/dev\/null; \} 2>\/dev\/null/\x22\x24found\x22 --default-signal --ignore-signal=INT true >\/dev\/null 2>\&1/@@cannot fork@@shell-hardening"
  "fifo-init.sh@@s/\tkeep_int_ignored=true/\tkeep_int_ignored=false/@@Ctrl-C|SIGINT and SIGQUIT ignored@@shell-hardening"
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
survived=0
for entry in "${mutants[@]}"; do
  # ONLY=REGEX runs the mutants whose line matches (e.g. ONLY=send.ts).
  if [[ -n ${ONLY:-} && ! $entry =~ $ONLY ]]; then continue; fi
  file=${entry%%@@*}; rest=${entry#*@@}
  substitution=${rest%%@@*}; rest=${rest#*@@}
  filter=${rest%%@@*}; files=${rest#*@@}
  rm -rf "$work/copy" && mkdir -p "$work/copy"
  cp -r src build test package.json tsconfig.json vitest.config.ts fifo-init.sh "$work/copy/"
  ln -s "$root/node_modules" "$work/copy/node_modules"
  mkdir -p "$work/copy/.build" && cp .build/node-x64* "$work/copy/.build/" 2>/dev/null
  code='BEGIN { $n = 0 }'; count=0
  rest=$substitution
  while [[ -n $rest ]]; do
    one=${rest%%"%%"*}
    code+=" \$n++ if ($one);"; count=$((count + 1))
    [[ $rest == *"%%"* ]] && rest=${rest#*"%%"} || rest=
  done
  code+=" END { exit(\$n == $count ? 0 : 1) }"
  if ! perl -0pi -e "$code" "$work/copy/$file"; then
    echo "MUTANT DID NOT APPLY: $file: $substitution"; survived=$((survived + 1)); continue
  fi
  if ! (cd "$work/copy" && "$NODE" build/build.mjs --no-arm64 >/dev/null 2>&1); then
    echo "killed (does not build): $file $substitution"; continue
  fi
  paths=()
  for f in $files; do paths+=("test/behaviour/$f.test.ts"); done
  if (cd "$work/copy" && timeout 300 "$NODE" node_modules/vitest/vitest.mjs run "${paths[@]}" -t "$filter" >"$work/out" 2>&1); then
    echo "SURVIVED: $file: $substitution (tests matching '$filter' still pass)"; survived=$((survived + 1))
  else
    echo "killed: $file: $substitution  <- $(grep -m1 -E '×|FAIL' "$work/out" | sed 's/\x1b\[[0-9;]*m//g' | cut -c1-110)"
  fi
done
echo "$survived mutant(s) survived of ${#mutants[@]}"
exit $((survived > 0))
