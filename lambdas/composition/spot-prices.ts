import { EnergiDataServiceClient } from '../adapters/energidataservice/client.ts';
import { SpotPriceSource } from '../adapters/energidataservice/spot-price-source.ts';
import type { Rules } from '../core/rules.ts';
import type { Clock, PriceCache, PriceSource } from '../ports.ts';

/**
 * The spot price source for the rules in force. Kept across ticks (warm invocations, watch polls)
 * so its fetch pacing survives; rebuilt only when the rules change area, tariff or time zone.
 */
export function spotPrices(options: {
  edsUrl: string;
  cache: PriceCache;
  clock: Clock;
  warn: (message: string) => void;
}): (rules: Rules) => PriceSource | undefined {
  const client = new EnergiDataServiceClient({ baseUrl: options.edsUrl });
  let kept: { key: string; source: SpotPriceSource } | null = null;
  return (rules) => {
    if (rules.priceSource !== 'spot') return undefined;
    const key = JSON.stringify([rules.priceArea, rules.tariff, rules.timezone]);
    if (kept?.key !== key) {
      const source = new SpotPriceSource({
        client,
        cache: options.cache,
        area: rules.priceArea,
        tariff: rules.tariff,
        timeZone: rules.timezone,
        now: () => options.clock.now(),
        onWarning: options.warn,
      });
      kept = { key, source };
    }
    return kept.source;
  };
}
