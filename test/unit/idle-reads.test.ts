import { describe, expect, it } from 'vitest';
import {
  anySessionOpen,
  idleLookup,
  learnPlace,
  RELEARN_AFTER_MS,
  type SessionLookup,
  type SessionPlace,
} from '../../lambdas/core/idle-reads.ts';

const NOW = new Date('2026-03-02T08:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);

type Row = [title: string, place: SessionPlace, publicCharging: boolean, expected: SessionLookup];

const ROWS: Row[] = [
  [
    'asks the home chargers first when nothing is known yet',
    { homeChargers: null, learnedAt: null },
    false,
    'home',
  ],
  [
    'asks everywhere when nothing is known yet and public charging is watched',
    { homeChargers: null, learnedAt: null },
    true,
    'all',
  ],
  [
    'watches an account with home chargers through them',
    { homeChargers: true, learnedAt: ago(1) },
    false,
    'home',
  ],
  [
    'asks for a public session too on a home-charger account when told to',
    { homeChargers: true, learnedAt: ago(1) },
    true,
    'all',
  ],
  [
    'watches an account without home chargers through its active session',
    { homeChargers: false, learnedAt: ago(RELEARN_AFTER_MS - 1) },
    false,
    'active',
  ],
  [
    'asks an account without home chargers for them again a day after it last did',
    { homeChargers: false, learnedAt: ago(RELEARN_AFTER_MS) },
    false,
    'home',
  ],
  [
    'asks for home chargers again when the learned time is in the future (a clock jump)',
    { homeChargers: false, learnedAt: new Date(NOW.getTime() + 60_000) },
    false,
    'home',
  ],
];

describe('idle lookup', () => {
  it.each(ROWS)('%s', (_title, place, publicCharging, expected) => {
    expect(idleLookup(place, NOW, publicCharging)).toBe(expected);
  });
});

describe('learning where the sessions are', () => {
  const before: SessionPlace = { homeChargers: false, learnedAt: ago(3_600_000) };

  it('learns from a read that asked for the home chargers', () => {
    expect(learnPlace(before, { sessions: [], homeChargers: true }, NOW)).toEqual({
      homeChargers: true,
      learnedAt: NOW,
    });
  });

  it('keeps what it knew after a read of the active session only', () => {
    expect(learnPlace(before, { sessions: [], homeChargers: null }, NOW)).toBe(before);
  });
});

describe('open sessions', () => {
  it('counts a stopping session as open and a finished or absent one as not', () => {
    expect(anySessionOpen(['stopping'])).toBe(true);
    expect(anySessionOpen(['finished', 'active'])).toBe(true);
    expect(anySessionOpen(['finished', null, undefined])).toBe(false);
    expect(anySessionOpen([])).toBe(false);
  });
});
