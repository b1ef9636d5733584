import { formatLocalTime } from '../core/local-time.ts';
import type { PriceReading, PriceSlot } from '../core/prices.ts';
import type { Snapshot } from '../core/snapshot.ts';
import { errorMessage } from '../errors.ts';
import { priceFeedNotice } from '../notices.ts';
import type { CheckDeps } from './check-deps.ts';
import { notify, track } from './notify.ts';

export interface PriceView {
  readonly price: PriceReading | null;
  readonly forecast: PriceSlot[] | undefined;
}

const PRICE_FEED_CONDITION = 'price-feed-unavailable';
/** A price feed outage is notified once it has lasted this long (short outages are normal). */
export const PRICE_FEED_NOTICE_AFTER_MS = 60 * 60_000;

/** The price in force for the session: its own tariff, or the spot feed (an outage only warns). */
export async function readPrice(deps: CheckDeps, snapshot: Snapshot, at: Date): Promise<PriceView> {
  if (deps.rules.priceSource === 'session') {
    const perKwh = snapshot.sessionPricePerKwh;
    return { price: perKwh === null ? null : { perKwh, source: 'session' }, forecast: undefined };
  }
  const prices = deps.prices;
  if (!prices) {
    deps.warn?.('price source is spot but no price feed is configured: the price rule is inactive');
    return { price: null, forecast: undefined };
  }
  try {
    const price = await prices.current(at);
    const forecast = await prices.forecast(at);
    if (price) {
      await track(deps, 'condition log', () => deps.conditions?.clear(PRICE_FEED_CONDITION));
    } else {
      const when = formatLocalTime(at, deps.rules.timezone);
      deps.warn?.(`no spot price for ${when}: the price rule is inactive this tick`);
      await priceFeedDown(deps, at, `no price for ${when}`);
    }
    return { price, forecast };
  } catch (error) {
    deps.warn?.(`price feed unavailable: ${errorMessage(error)}; the price rule is inactive this tick`);
    await priceFeedDown(deps, at, errorMessage(error));
    return { price: null, forecast: undefined };
  }
}

/**
 * Notifies once per outage, after it has lasted an hour. Without a condition log the outage
 * start is unknown, so each hour with a failure is notified once.
 */
async function priceFeedDown(deps: CheckDeps, at: Date, reason: string): Promise<void> {
  let since: Date | null = null;
  const conditions = deps.conditions;
  if (conditions) {
    since = (await track(deps, 'condition log', () => conditions.since(PRICE_FEED_CONDITION, at))) ?? null;
    if (!since || at.getTime() - since.getTime() < PRICE_FEED_NOTICE_AFTER_MS) return;
  }
  await notify(deps, priceFeedNotice(at, since, reason, deps.rules.timezone));
}
