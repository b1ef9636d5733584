import { describe, expect, it } from 'vitest';
import {
  anySessionOpen,
  learnPlace,
  RELEARN_AFTER_MS,
  readLookup,
  type SessionLookup,
  type SessionPlace,
} from '../../lambdas/core/idle-reads.ts';

const NOW = new Date('2026-03-02T08:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);

type Row = [
  title: string,
  place: SessionPlace,
  open: boolean,
  publicCharging: boolean,
  expected: SessionLookup,
];

const UNKNOWN: SessionPlace = { homeChargers: null, learnedAt: null };
const HOME: SessionPlace = { homeChargers: true, learnedAt: ago(1) };
const NO_HOME: SessionPlace = { homeChargers: false, learnedAt: ago(RELEARN_AFTER_MS - 1) };

const ROWS: Row[] = [
  ['asks the home chargers first when nothing is known yet', UNKNOWN, false, false, 'home'],
  ['asks everywhere when nothing is known yet and public charging is watched', UNKNOWN, false, true, 'all'],
  ['watches an idle account with home chargers through them', HOME, false, false, 'home'],
  ['asks for a public session too on an idle home-charger account when told to', HOME, false, true, 'all'],
  ['reads an open session on a home-charger account everywhere', HOME, true, false, 'all'],
  ['reads everywhere while a session is open and nothing is known yet', UNKNOWN, true, false, 'all'],
  ['watches an account without home chargers through its active session', NO_HOME, false, false, 'active'],
  [
    'reads an open session on an account without home chargers through its active session',
    NO_HOME,
    true,
    false,
    'active',
  ],
  [
    'asks an account without home chargers for them again a day after it last did',
    { homeChargers: false, learnedAt: ago(RELEARN_AFTER_MS) },
    false,
    false,
    'home',
  ],
  [
    'asks for home chargers again when the learned time is in the future (a clock jump)',
    { homeChargers: false, learnedAt: new Date(NOW.getTime() + 60_000) },
    true,
    false,
    'all',
  ],
];

describe('read lookup', () => {
  it.each(ROWS)('%s', (_title, place, open, publicCharging, expected) => {
    expect(readLookup(place, open, NOW, publicCharging)).toBe(expected);
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
