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
  "src/console.ts@@s/fsc.O_WRONLY \| fsc.O_NONBLOCK \| fsc.O_NOCTTY\)/fsc.O_WRONLY | fsc.O_NOCTTY)/@@full FIFO never blocks@@console"
  "src/stop.ts@@s/this.stopping = true;/this.stopping = false;/@@second SIGTERM@@console console-features"
  "src/send.ts@@s/fsc.O_WRONLY \| fsc.O_NONBLOCK \| fsc.O_NOCTTY/fsc.O_WRONLY | fsc.O_NOCTTY/@@no reader@@send"
  "src/send.ts@@s/if \(line.length > PIPE_BUF\)/if (false)/@@longer than PIPE_BUF@@send"
  "src/send.ts@@s/if \(!stats.isFIFO\(\)\) throw/if (false) throw/@@nothing created or written@@send"
  "src/signals.ts@@s/return rewrite.get\(signal\) \?\? signal;/return signal;/@@TERM:USR1@@console"
  "src/exec.ts@@s/libc.resetAllSignals\(maxSignal\(\)\);//@@every signal is at its default@@console"
  "src/fifo.ts@@s/\(stats.mode & 0o002\) !== 0/false/@@writable by everyone@@init"
  "src/fifo.ts@@s/if \(code === 'EACCES' \|\| code === 'EPERM'\) throw new InitError\(deniedMessage/if (false) throw new InitError(deniedMessage/@@permission denied@@init"
  # under Docker: docker run --init (tini PID 1, fifo-init its subreaper child) must reap the orphan
  "src/reap.ts@@s/for \(const child of reapAll\(this.wait\)\)/for (const child of reapAll((_pid, options) => this.wait(mainPid, options)))/@@adopts an orphan@@../containers/docker"
  # under Docker: docker run -i / docker attach reach the service only through the relay
  "src/supervisor.ts@@s/const relay = fifo !== undefined && options.relayStdin && stdinReadable\(\);/const relay = false;/@@own stdin@@../containers/docker"
  "src/fifo.ts@@s/if \(!modeAllows\(stats, who, 6\)\)/if (true)/@@refused although the mode allows@@init"
  "fifo-init.sh@@s/\t\t\tif mode_allows; then/\t\t\tif false; then/@@refused although the mode allows@@init"
  "src/fifo.ts@@s/Docker creates a directory/a directory was created/@@a directory@@init"
  "src/supervisor.ts@@s/context.signals.attach\(givingBack\(\{ onSignal, onWake \}, log\)\);/context.signals.attach(givingBack({ onSignal, onWake }, log)); setInterval(() => {}, 500);/@@no periodic wake-ups@@init"
  "src/supervisor.ts@@s/libc.setParentDeathSignal\(options.parentDeathSignal\);/void 0;/@@parent dies@@init"
  "src/reap.ts@@s/\} else if \(this.warnOnReap\) \{/} else if (false) {/@@logs each reaped zombie@@init"
  "src/spawn.ts@@s/if \(fd === except \|\| \(fd > 2 && isRuntimeDescriptor\(fd\)\)\) continue;/if (fd === except) continue;/%%s/fd < 3 \+ passed/fd < 40 + passed/@@no descriptor of the init leaks@@init"
  "src/program.ts@@s/EXIT.NOT_FOUND\)/EXIT.NOT_EXECUTABLE)/@@127 when PROGRAM@@init"
  "src/exit-status.ts@@s/128 \+ termination.signal/termination.signal/@@kill -TERM@@init"
  "src/fifo.ts@@s/const problem = notFifoMessage\(path, handle.stats\);/const problem = undefined;/@@regular file@@init"
  "fifo-init.sh@@s/command exec 9<>/command exec 9</@@successive writers never cause EOF@@init"
  # issue 9: robustness (test/behaviour/robustness.test.ts)
  "src/signals.ts@@s/    listener.onWake\(\);\n  \}\n\}/    if (signal === constants.signals.SIGCHLD) listener.onWake();\n  }\n}/@@signal flood@@robustness"
  "src/signal-table.ts@@s/number === FIRST_REALTIME \|\| number === FIRST_REALTIME \+ 1/number >= FIRST_REALTIME/@@real-time signals@@robustness"
  "src/sys/libc.ts@@s/for \(let i = 0; i < 2 && \(c.sigtimedwait/for (let i = 2; i < 2 \&\& (c.sigtimedwait/@@causes itself@@robustness"
  "src/units.ts@@s/export const MAX_TIMER_MS = 2 \*\* 31 - 1;/export const MAX_TIMER_MS = 2 ** 32;/@@every duration@@robustness"
  "src/reap.ts@@s/if \(event.kind === 'stopped'\) this.release\(child.pid, event.signal\);//@@PTRACE_TRACEME@@robustness"
  "src/signals.ts@@s/this.held.push\(signal\)/void signal/@@early signals@@robustness"
  "src/supervisor.ts@@s/const takeTerminal = !stop && /const takeTerminal = true || /@@Ctrl-C typed@@robustness"
  "src/spawn.ts@@s/if \(!\(error instanceof SysError && error.code === 'ENOEXEC'\)\) throw/if (true) throw/@@without #!@@robustness"
  "src/program.ts@@s/new Set\(\['EAGAIN', 'EWOULDBLOCK', 'ENOMEM', 'EMFILE', 'ENFILE'\]\)/new Set<string>()/@@fork refused@@robustness"
  "src/supervisor.ts@@s/const listen = listenFds\(context.environ, process.pid\) !== undefined;/const listen = false;/@@LISTEN_FDS@@robustness"
  "src/program.ts@@s/return Math.max\(preserveFds, listenFds\(environ, ownPid\) \?\? 0\);/return listenFds(environ, ownPid) ?? 0;/@@preserve-fds@@robustness"
  "src/cli.ts@@s/parentDeathSignal: pdeath === undefined \? undefined : signalArg\('-p', pdeath\)/parentDeathSignal: pdeath === undefined ? undefined : forwardableArg('-p', pdeath)/@@dies with its parent@@robustness"
  "src/cli.ts@@s/\} else if \(fromTini !== undefined/} else if (false \&\& fromTini !== undefined/@@TINI_VERBOSITY@@robustness"
  "src/main.ts@@s/return words.length === fallback.length \? words : fallback;/return fallback;/@@byte for byte@@robustness"
  "src/log.ts@@s/\\\$\\{escapeForLog\\(message\\)\\}/\\\${message}/@@forge@@robustness"
  # issue 12: console features (test/behaviour/console-features.test.ts)
  "src/supervisor.ts@@s/const relay = fifo !== undefined && options.relayStdin && stdinReadable\(\);/const relay = false;/@@merged stdin@@console-features"
  "src/relay.ts@@s/splitter.push\(typeof chunk === 'string' \? Buffer.from\(chunk\) : chunk\);/writer.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, 'a chunk of stdin');/@@a panel@@console-features"
  "src/stop.ts@@s/this.pause = \{ timer: this.after\(step.ms, resume\), resume \};/this.pause = { timer: this.after(0, resume), resume };/@@announce, wait@@console-features"
  "src/stop.ts@@s/if \(this.stopping && signal === SKIP_WAIT_SIGNAL && this.pause\)/if (false)/@@SIGHUP during a pause@@console-features"
  "src/supervisor.ts@@s/startupLines.forEach\(/[].forEach(/@@start-up commands@@console-features"
  "src/supervisor.ts@@s/if \(commands && writer\)/if (false)/@@signal commands@@console-features"
  "src/supervisor.ts@@s/if \(options.leftoverGraceMs > 0\)/if (false)/@@leftovers@@console-features"
  "src/cli.ts@@s/: envList\(env.FIFO_INIT_EXPECT_EXIT\);/: envList(undefined);/@@environment twins@@console-features"
  "src/cli.ts@@s/const leftoverGraceMs = graceText === undefined \? 0 :/const leftoverGraceMs = graceText === undefined ? 5000 :/@@the default: off@@console-features"
  "src/console.ts@@s/if \(codeOf\(error\) === 'EAGAIN' && Date.now\(\) < next.deadline\)/if (false)/@@full FIFO never blocks@@console-features"
  # fifo path and send hardening
  "src/fifo.ts@@s/process.umask\(0\)/process.umask(0o077)/%%s/fchmodSync\(fd, options.createMode!\);//@@umask@@console fifo-hardening"
  "src/fifo.ts@@s/if \(before\?\.isSymbolicLink\(\)\) throw new InitError\(symlinkMessage\(path\)\);//%%s/openPathHandle\(path, false\)/openPathHandle(path, true)/@@symlink at the --create path@@fifo-hardening"
  "src/fifo.ts@@s/if \(created && \(stats.uid !== euid\(\) \|\| stats.nlink !== 1\)\)/if (false)/%%s/if \(!created && stats.uid !== euid\(\) && stats.uid !== 0\)/if (false)/@@another user@@fifo-hardening"
  "src/fifo.ts@@s/openSync\(.\/proc\/self\/fd\/..pathFd.., flags\)/openSync(toBytes(path), flags)/@@never opened for reading or writing@@fifo-hardening"
  "src/fifo.ts@@s/while \(!libc.tryLockExclusive\(fd\)\)/while (false)/@@second init on the same FIFO@@fifo-hardening"
  "src/send.ts@@s/throw new InitError\('a TEXT argument contains/if (false) throw new InitError('a TEXT argument contains/@@newline or carriage return@@send"
  "src/send.ts@@s/if \(length > 0 && line\[length - 1\] === CR\) length -= 1;//@@keep their bytes@@send"
  "src/send.ts@@s/SEND_EXIT.IOERR\)/SEND_EXIT.OK)/@@cannot be read@@send"
  # node start-up
  "build/build.mjs@@s/'--v8-pool-size=1',//@@pids.max 4|RLIMIT_NPROC 4@@limits"
  "src/limits.ts@@s/  libc.setNofileSoft\(soft\);\n//@@nofile-soft|NOFILE_SOFT@@limits"
  "build/build.mjs@@s/'--openssl-config=\/dev\/null',//@@OPENSSL_CONF@@node-env"
  "build/build.mjs@@s/'--no-use-env-proxy',//@@NODE_USE_ENV_PROXY@@node-env"
  "src/node-debug-off.ts@@s/if \(process.env.NODE_DEBUG\)/if (false)/@@NODE_DEBUG@@node-env"
  "src/node-env.ts@@s/\[detachIpcChannel, /[/@@NODE_CHANNEL_FD@@node-env"
  "src/node-env.ts@@s/, skipNodeExitHooks\]/]/@@NODE_V8_COVERAGE@@node-env"
  "fifo-init.sh@@s/^trap 'note_signal TERM \|\| :' TERM\n//m@@each forwarded signal reaches PROGRAM \(PID 1\)@@init"
  "fifo-init.sh@@s/\] && \[ \x22\x24program_status\x22 -le 128 \]/] \&\& [ \x22\x24program_status\x22 -le 99999 ]/@@each forwarded signal reaches PROGRAM \(PID 1\)@@init"
  # shell hardening (\x22 is ", \x24 is $: the lines stay plain in bash's double quotes)
  "fifo-init.sh@@s/exec mkfifo \x22\x24\@\x22 \x22\x24safe\x22 2>&1\); then/exec mkfifo \x22\x24safe\x22 2>\&1) \&\& chmod \x22\x24create_mode\x22 \x22\x24fifo\x22; then/@@chmods nothing by path@@shell-hardening"
  "fifo-init.sh@@s/if \[ \x22\x24\(\(create_mode & 0600\)\)\x22 -ne/if [ 384 -ne/@@exactly MODE@@shell-hardening"
  "fifo-init.sh@@s/if \[ -n \x22\x24create_mode\x22 \] && \[ -L \x22\x24fifo\x22 \]; then\n\t\trefuse_link/if false; then\n\t\trefuse_link/%%s/if \[ -n \x22\x24create_mode\x22 \] && \[ -L \x22\x24fifo\x22 \]; then\n\t\texec 9<&-\n\t\trefuse_link/if false; then\n\t\texec 9<\&-\n\t\trefuse_link/@@symlink at a --create path@@shell-hardening"
  "fifo-init.sh@@s/\t\t_el_text=\x24\{_el_text%\x22\x24cr\x22\}\n//@@CRLF@@shell-hardening"
  "fifo-init.sh@@s/\*\x22\x24nl\x22\* \| \*\x22\x24cr\x22\*\)/*\x22\x24nl\x22*)/@@CR or LF inside@@shell-hardening"
  "fifo-init.sh@@s/^trap '' TTIN TTOU PIPE\n/trap '' PIPE\n/m@@SIGTTIN@@shell-hardening"
  "fifo-init.sh@@s/\t\texec 9>&-\n\t\tstop_timer/\t\tstop_timer/@@stop timer holds no FIFO@@shell-hardening"
  "fifo-init.sh@@s/reap_helper \x22\x24timer_pid\x22 VTALRM\n\tfi/:\n\tfi/@@PROGRAM dying during a stop@@shell-hardening"
  "fifo-init.sh@@s/^trap 'note_signal HUP \|\| :' HUP\n/trap - HUP\n/m@@flood@@shell-hardening"
  "fifo-init.sh@@s/^trap '' TTIN TTOU PIPE\n/trap '' TTIN TTOU\n/m@@broken stderr@@shell-hardening"
  "fifo-init.sh@@s/\t\t\tT \| t\)/\t\t\tT)/@@ptrace@@shell-hardening"
  "fifo-init.sh@@s/\{ \x22\x24found\x22 --default-signal --ignore-signal=INT true >\/dev\/null; \} 2>\/dev\/null/\x22\x24found\x22 --default-signal --ignore-signal=INT true >\/dev\/null 2>\&1/@@cannot fork@@shell-hardening"
  "fifo-init.sh@@s/\tkeep_int_ignored=true/\tkeep_int_ignored=false/@@Ctrl-C|SIGINT and SIGQUIT ignored@@shell-hardening"
  # issue 12 in fifo-init.sh (test/behaviour/console-features.test.ts)
  "fifo-init.sh@@s/start_timer \x22\x24\{_rs_pause#\* \}\x22/start_timer 0/@@announce, wait@@console-features"
  "fifo-init.sh@@s/if \x22\x24stopping\x22 && \x22\x24stop_pausing\x22 && \[ \x22\x241\x22 = HUP \]; then/if false; then/@@SIGHUP during a pause@@console-features"
  "fifo-init.sh@@s/\t\tspawn_helper_writer \x22\x24startup_lines\x22\n/\t\t:\n/@@start-up commands@@console-features"
  "fifo-init.sh@@s/\t\t\tspawn_helper_writer \x22\x24_os_lines\x22\n/\t\t\t:\n/@@signal commands@@console-features"
  "fifo-init.sh@@s/if \x22\x24relay_stdin\x22; then\n\t\tstart_relay/if false; then\n\t\tstart_relay/@@merged stdin@@console-features"
  "fifo-init.sh@@s/\t\t\topen_fifo_writer\n\t\t\trelay_lines\n/\t\t\topen_fifo_writer\n\t\t\tcat\n/@@a panel@@console-features"
  "fifo-init.sh@@s/kill -15 -1 2>\/dev\/null \|\| :/:/@@leftovers@@console-features"
  "fifo-init.sh@@s/\tleftover_grace=\x24\{FIFO_INIT_LEFTOVER_GRACE:-\}/\tleftover_grace=\x24{FIFO_INIT_LEFTOVER_GRACE:-5s}/@@the default: off@@console-features"
  "fifo-init.sh@@s/env_list \x22\x24\{FIFO_INIT_EXPECT_EXIT:-\}\x22/env_list \x22\x22/@@environment twins@@console-features"

  # issue 13: memory (test/unit/memory.test.ts, test/behaviour/memory.test.ts)
  "src/memory.ts@@s/ \&\& !touchesWritable\(m\)//@@RELRO@@../unit/memory"
  "src/memory.ts@@s/m.perms\[1\] === '-' \&\& //@@nothing else@@../unit/memory"
  "src/memory.ts@@s/timer = setTimeout\(run, ms\).unref\(\);/timer = setInterval(run, ms).unref();/@@no periodic wake-ups@@init"
  "src/memory.ts@@s/arm\(settled \? QUIET_MS : SETTLE_MS\);/if (!settled) arm(SETTLE_MS);/@@after a burst@@memory"
  "src/supervisor.ts@@s/context.signals.attach\(givingBack\(\{ onSignal, onWake \}, log\)\);/context.signals.attach({ onSignal, onWake });/@@paging out@@memory"
  "src/sys/libc.ts@@s/void c.__errno_location;//@@exit code@@memory init"
  "src/errors.ts@@s/report\(what, error\);/throw error;/@@guardWith@@../unit/errors"
  "src/fifo.ts@@s/fd = openSync\(toBytes\(path\), flags \| fsc.O_NOFOLLOW\);/throw error;/@@opened by its path@@scratch-root"
  "src/fifo.ts@@s/openSync\(toBytes\(path\), flags \| fsc.O_NOFOLLOW\)/openSync(toBytes(path), flags)/@@symbolic link as --fifo@@scratch-root"
  "src/main.ts@@s/\} catch \{\n    return Object.entries\(process.env\)/} catch {\n    return [];\n    return Object.entries(process.env)/@@its arguments and the environment@@scratch-root"
  "src/program.ts@@s/return existsSync\(SHELL\);/return true;/@@without #! and no /bin/sh@@scratch-root"
  "src/cli.ts@@s/if \(arg === '--create' && i < args.length/if (false \&\& i < args.length/@@create@@../unit/cli"
  "fifo-init.sh@@s/\tcheck_opened\n\tif \[ -n/\tif [ -n/@@dangling symlink around the open@@shell-hardening"
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
  # CHECK_ONLY=1: only check that every substitution still applies to today's source.
  if [[ -n ${CHECK_ONLY:-} ]]; then echo "applies: $file: $substitution"; continue; fi
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
