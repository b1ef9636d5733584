import { EnergiDataServiceClient } from '../../lambdas/adapters/energidataservice/client.ts';
import { SpotPriceSource } from '../../lambdas/adapters/energidataservice/spot-price-source.ts';
import { FilePriceCache } from '../../lambdas/adapters/local/price-cache.ts';
import type { Rules } from '../../lambdas/core/rules.ts';
import type { Clock, PriceSource } from '../../lambdas/ports.ts';
import type { CliIo } from './io.ts';

/** The spot price source for local runs: Energi Data Service (STOPWATT_EDS_URL) with a file cache. */
export function spotPriceSourceFor(options: {
  io: CliIo;
  dir: string;
  rules: Rules;
  clock: Clock;
  warn?: (message: string) => void;
}): PriceSource {
  return new SpotPriceSource({
    client: new EnergiDataServiceClient({ baseUrl: options.io.env.STOPWATT_EDS_URL }),
    cache: new FilePriceCache({ dir: options.dir }),
    area: options.rules.priceArea,
    tariff: options.rules.tariff,
    timeZone: options.rules.timezone,
    now: () => options.clock.now(),
    onWarning: options.warn,
  });
}
