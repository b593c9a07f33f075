/**
 * Start-up commands from a file (--startup-file): its lines, byte for byte,
 * typed into the FIFO right after PROGRAM starts (mc-server-runner's
 * -bootstrap, itzg's RCON_CMDS_STARTUP). Read before the spawn, so a bad
 * file is the init's failure (125), never half a start-up.
 */
import { closeSync, constants as fsc, openSync, readSync } from 'node:fs';
import { fromBytes, toBytes } from './bytes.js';
import { EXIT, InitError } from './errors.js';
import { readLines } from './send.js';

/** The file's lines without their line ends (CRLF or LF), empty lines skipped. */
export function readStartupFile(path: string): string[] {
  let fd: number;
  try {
    fd = openSync(toBytes(path), fsc.O_RDONLY | fsc.O_NOCTTY | fsc.O_NONBLOCK);
  } catch (error) {
    throw new InitError(`cannot read --startup-file ${path}: ${(error as Error).message}`);
  }
  try {
    const lines: string[] = [];
    for (const line of readLines((buffer) => readSync(fd, buffer, 0, buffer.length, null), 'the file')) {
      if (line.length > 1) lines.push(fromBytes(line.subarray(0, line.length - 1)));
    }
    return lines;
  } catch (error) {
    throw new InitError(`--startup-file ${path}: ${(error as Error).message}`, EXIT.INIT_FAILED);
  } finally {
    closeSync(fd);
  }
}
