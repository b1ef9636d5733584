import * as z from 'zod/mini';
import type { StopRule } from './stop-rule.ts';

/** Stop now, because the driver asked (phone page, `rules set --once --stop-now`). */
export const manualRule = {
  reason: 'manual',
  onceOnly: true,
  fields: {
    stopNow: z
      .optional(z.boolean())
      .check(z.describe('End this session at the next tick (reason manual). Only inside once.')),
  },
  flags: [
    {
      name: 'stop-now',
      field: 'stopNow',
      value: 'switch',
      placeholder: '',
      help: 'end the session at the next tick (with --once)',
    },
  ],
  isSet: (settings) => settings.stopNow === true,
  judge: () => ({ holds: true, detail: 'stop now was requested' }),
} as const satisfies StopRule<'manual'>;
