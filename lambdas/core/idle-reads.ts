import type { Session } from './session.ts';

/**
 * Where a read looks for the account's open sessions. The driver-app API has two places: the
 * account's home chargers (each lists its open session, suspended ones included) and the
 * account's active session (public charging; on some tenants it does not exist).
 * - `all`: the home chargers, then the active session when no home charger has one.
 * - `home`: the home chargers; the active session only when the account has no home charger.
 * - `active`: the active session only.
 */
export type SessionLookup = 'all' | 'home' | 'active';

/** What a read found, and whether it saw the account's home chargers (null: it did not ask). */
export interface SessionSearch {
  readonly sessions: Session[];
  readonly homeChargers: boolean | null;
}

/** What the account's reads have taught about where its sessions are found. */
export interface SessionPlace {
  /** The account lists home chargers; null before a read has asked. */
  readonly homeChargers: boolean | null;
  /** When `homeChargers` was last seen. */
  readonly learnedAt: Date | null;
}

/** An account without home chargers is asked for them again this often (a charger may be added). */
export const RELEARN_AFTER_MS = 24 * 3_600_000;

/**
 * Where a read looks, one request whenever the place is known. An account without home chargers
 * is read through its active session only, open session or not, and is asked for home chargers
 * again at most once a day (a charger may be added). Otherwise an open session is read
 * everywhere, as a manual check does; an idle read asks the home chargers (unless `publicCharging`
 * asks for the active session too, one more request a read), which also tells an account without.
 */
export function readLookup(
  place: SessionPlace,
  open: boolean,
  now: Date,
  publicCharging: boolean,
): SessionLookup {
  if (place.homeChargers === false && place.learnedAt !== null) {
    const age = now.getTime() - place.learnedAt.getTime();
    if (age >= 0 && age < RELEARN_AFTER_MS) return 'active';
  }
  return open || publicCharging ? 'all' : 'home';
}

/** The place after a read: a read that saw the home chargers (or their absence) teaches it anew. */
export function learnPlace(previous: SessionPlace, search: SessionSearch, now: Date): SessionPlace {
  return search.homeChargers === null ? previous : { homeChargers: search.homeChargers, learnedAt: now };
}

/**
 * True while a session the read found is not finished: then every tick reads (a `stopping` one
 * too, so its end is seen promptly).
 */
export function anySessionOpen(statuses: readonly (string | null | undefined)[]): boolean {
  return statuses.some((status) => status !== undefined && status !== null && status !== 'finished');
}
