import * as z from 'zod/mini';
import { fmt, type StopRule } from './stop-rule.ts';

/** End once the session's cost (AMPECO `totalAmount`, incl. the tariff's minimum) reaches a cap. */
export const costRule = {
  reason: 'cost',
  onceOnly: false,
  fields: {
    maxCost: z
      .optional(z.number().check(z.positive()))
      .check(z.describe('End when the session cost reaches this.')),
  },
  flags: [
    {
      name: 'max-cost',
      field: 'maxCost',
      value: 'positive',
      placeholder: 'X',
      help: 'end when the session cost reaches X (currency)',
    },
  ],
  isSet: (settings) => settings.maxCost !== undefined,
  judge: ({ snapshot: s, rules }) => {
    const cap = rules.maxCost ?? Number.POSITIVE_INFINITY;
    if (s.cost !== null && Number.isFinite(s.cost) && s.cost >= cap) {
      const currency = s.currency ? ` ${s.currency}` : '';
      return { holds: true, detail: `cost ${fmt(s.cost, 2)}${currency} reached the cap of ${fmt(cap, 2)}` };
    }
    const note = s.cost === null ? 'cost unknown' : `cost ${fmt(s.cost, 2)} of ${fmt(cap, 2)}`;
    return { holds: false, note, wake: null };
  },
} as const satisfies StopRule<'cost'>;
