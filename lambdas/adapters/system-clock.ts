import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../ports.ts';

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: async (ms: number) => {
    if (ms > 0) await delay(ms);
  },
};
