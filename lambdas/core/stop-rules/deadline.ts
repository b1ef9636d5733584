import * as z from 'zod/mini';
import { formatLocalTime, nextOccurrence, parseClock } from '../local-time.ts';
import type { RuleContext, StopRule } from './stop-rule.ts';

/** End at a local wall time: the first `stopBy` in `timezone` at or after the session started. */
export const deadlineRule = {
  reason: 'deadline',
  onceOnly: false,
  fields: {
    stopBy: z
      .optional(z.string().check(z.refine((v) => parseClock(v) !== null, 'must be HH:MM (24 h)')))
      .check(z.describe('End at this local time (HH:MM) after the session started.')),
  },
  flags: [
    {
      name: 'stop-by',
      field: 'stopBy',
      value: 'clock',
      placeholder: 'HH:MM',
      help: 'end at this local time (first occurrence after the session started)',
    },
  ],
  isSet: (settings) => settings.stopBy !== undefined,
  judge: (context) => {
    const { rules, now } = context;
    const clock = parseClock(rules.stopBy ?? '');
    if (!clock) return { holds: false, note: null, wake: null };
    const deadline = deadlineAfter(startOf(context), clock, rules.timezone);
    if (!deadline)
      return { holds: false, note: 'deadline unknown: the session start time is not usable', wake: null };
    if (now.getTime() >= deadline.getTime()) {
      return {
        holds: true,
        detail: `deadline ${rules.stopBy} (${rules.timezone}) passed at ${formatLocalTime(deadline, rules.timezone)}`,
      };
    }
    return { holds: false, note: `deadline at ${formatLocalTime(deadline, rules.timezone)}`, wake: deadline };
  },
} as const satisfies StopRule<'deadline'>;

/**
 * The session start. Without one, the previous reading stands in for it: counting from this
 * reading alone would push the deadline past every tick that sees it.
 */
function startOf({ snapshot: s, previous }: RuleContext): Date {
  return s.startedAt ?? previous?.startedAt ?? previous?.observedAt ?? s.observedAt;
}

/** The first `clock` wall time at or after `from`; null when `from` is not a usable instant. */
function deadlineAfter(from: Date, clock: { hour: number; minute: number }, timeZone: string): Date | null {
  if (Number.isNaN(from.getTime())) return null;
  try {
    const at = nextOccurrence(from, clock, timeZone);
    return Number.isNaN(at.getTime()) ? null : at;
  } catch {
    // Beyond the Date range (an absurd start time from the API): no deadline can be computed.
    return null;
  }
}
