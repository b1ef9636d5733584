import { EnergiDataServiceClient } from '../../lambdas/adapters/energidataservice/client.ts';
import { SpotPriceSource } from '../../lambdas/adapters/energidataservice/spot-price-source.ts';
import { FilePriceCache } from '../../lambdas/adapters/local/price-cache.ts';
import type { Tariff } from '../../lambdas/core/rules.ts';

/**
 * The spot price source for local runs (check, watch, prices): Energi Data Service at
 * STOPWATT_EDS_URL (default: the public service) with a file cache in the local store.
 */
export function spotPriceSourceFor(options: {
  env: NodeJS.ProcessEnv;
  dir: string;
  area: string;
  tariff: Tariff;
  timeZone: string;
  now: () => Date;
  warn?: ((message: string) => void) | undefined;
}): SpotPriceSource {
  return new SpotPriceSource({
    client: new EnergiDataServiceClient({ baseUrl: options.env.STOPWATT_EDS_URL || undefined }),
    cache: new FilePriceCache({ dir: options.dir }),
    area: options.area,
    tariff: options.tariff,
    timeZone: options.timeZone,
    now: options.now,
    onWarning: options.warn,
  });
}
