import type { Rules } from '../../lambdas/core/rules.ts';
import type { Clock, PriceSource } from '../../lambdas/ports.ts';
import type { CliIo } from './io.ts';

/** The spot price source for local runs (Energi Data Service with a file cache). */
export function spotPriceSourceFor(_options: {
  io: CliIo;
  dir: string;
  rules: Rules;
  clock: Clock;
}): PriceSource | undefined {
  return undefined;
}
