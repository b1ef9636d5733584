import type { ReadCadence } from '../ports.ts';
import type { CheckOutcome } from '../run-check.ts';
import type { AccountCheck, TickOptions } from './build-check.ts';

/**
 * Early enough that a tick arriving a little before the interval is over still reads: the
 * schedule's ticks are not exactly one minute apart, and a read must never slip a whole tick.
 */
const TICK_SLACK_MS = 30_000;

/**
 * One scheduled tick on the adaptive cadence: every tick reads while a session is open; without
 * one, only a tick that claims the due idle read does. Null when this tick did not read.
 */
export async function tickOnCadence(
  check: AccountCheck,
  cadence: ReadCadence,
  idleIntervalMs: number,
  options: TickOptions,
): Promise<CheckOutcome | null> {
  if (idleIntervalMs <= 0) return check.tick(options);
  const now = check.parts.clock.now();
  const next = new Date(now.getTime() + Math.max(0, idleIntervalMs - TICK_SLACK_MS));
  if (!(await cadence.claim(now, next))) return null;
  let outcome: CheckOutcome;
  try {
    outcome = await check.tick(options);
  } catch (error) {
    // The read did not happen: the next tick must not wait a whole idle interval for it.
    await cadence.release().catch(() => undefined);
    throw error;
  }
  await cadence.record(outcome.action !== 'none');
  return outcome;
}
