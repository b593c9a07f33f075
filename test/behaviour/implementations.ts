/**
 * The implementations the behaviour suite holds to one contract. Each says
 * which cases it cannot run and why; the suite prints that reason.
 */
import { constants } from 'node:os';
import { forwardedSignals } from '../../src/signal-table.js';
import { EXE, type Implementation } from './harness.js';

export interface SuiteImplementation extends Implementation {
  /** Signals this implementation forwards (name -> number). */
  forwards: Record<string, number>;
}

const named = (names: string[]) => Object.fromEntries(names.map((name) => [name, constants.signals[name as NodeJS.Signals]]));

export const executable: SuiteImplementation = {
  name: 'fifo-init',
  command: [EXE],
  skips: {},
  forwards: Object.fromEntries(forwardedSignals().map((entry) => [entry.name, entry.number])),
};

export const implementations: SuiteImplementation[] = [executable];
void named;
