import { describe, expect, it } from 'vitest';
import { hasAnyRule, parseRules, parseRulesJson } from '../../lambdas/config.ts';
import { ConfigError } from '../../lambdas/errors.ts';

/** The ConfigError message parseRules throws for `input`, or a failure when it does not throw. */
function rejection(input: unknown): string {
  try {
    parseRules(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('parseRules', () => {
  it('fills every default on an empty object and sets no rule', () => {
    // Act
    const rules = parseRules({});

    // Assess
    expect(rules).toEqual({
      timezone: 'Europe/Copenhagen',
      priceSource: 'session',
      priceArea: 'DK1',
      tariff: { flatPerKwh: 0, zones: [], vatPercent: 25, hourlyAverage: false },
      sessionPriceFormula: { spotFactor: 1.25, markupFactor: 1, fixedPerKwh: 0 },
      dryRun: false,
    });
    expect(hasAnyRule(rules)).toBe(false);
  });

  it('keeps every rule that is given', () => {
    // Prepare
    const input = {
      energyKwh: 20,
      maxPricePerKwh: 2.5,
      minEnergyKwh: 0,
      maxCost: 100,
      stopBy: '07:00',
      timezone: 'UTC',
      priceSource: 'spot',
      priceArea: 'DK2',
      dryRun: true,
    };

    // Act
    const rules = parseRules(input);

    // Assess
    expect(rules).toMatchObject(input);
    expect(hasAnyRule(rules)).toBe(true);
  });

  it.each([
    { name: 'energyKwh', input: { energyKwh: 1 } },
    { name: 'maxPricePerKwh', input: { maxPricePerKwh: 0 } },
    { name: 'maxCost', input: { maxCost: 1 } },
    { name: 'stopBy', input: { stopBy: '00:00' } },
  ])('counts $name alone as a rule', ({ input }) => {
    // Act
    const any = hasAnyRule(parseRules(input));

    // Assess
    expect(any).toBe(true);
  });

  it.each([
    { name: 'energyKwh', once: { energyKwh: 20 } },
    { name: 'stopBy', once: { stopBy: '07:00' } },
    { name: 'stopNow', once: { stopNow: true } },
  ])('counts a one-session override with $name as a rule', ({ once }) => {
    // Act
    const any = hasAnyRule(parseRules({ once }));

    // Assess
    expect(any).toBe(true);
  });

  it('does not count a one-session leaveAlone as a rule', () => {
    // Act
    const any = hasAnyRule(parseRules({ once: { leaveAlone: true } }));

    // Assess
    expect(any).toBe(false);
  });

  it('rejects leaveAlone combined with a rule in the one-session override', () => {
    // Act
    const message = rejection({ once: { leaveAlone: true, energyKwh: 5 } });

    // Assess
    expect(message).toContain('once: leaveAlone cannot be combined with a rule');
  });

  it.each(['stopNow', 'leaveAlone'])('accepts %s only inside once', (field) => {
    // Act
    const message = rejection({ [field]: true });

    // Assess
    expect(message).toContain(`"${field}"`);
  });

  it('does not count minEnergyKwh or dryRun alone as a rule', () => {
    // Act
    const any = hasAnyRule(parseRules({ minEnergyKwh: 5, dryRun: true }));

    // Assess
    expect(any).toBe(false);
  });

  it.each([
    { input: { energyKwhh: 10 }, key: 'energyKwhh' },
    { input: { energyKwh: 10, stop_by: '07:00' }, key: 'stop_by' },
    { input: { tariff: { flatPerKwh: 1, vat: 25 } }, key: 'vat' },
    { input: { sessionPriceFormula: { spotFactor: 1, extra: 1 } }, key: 'extra' },
  ])('rejects the unknown key $key', ({ input, key }) => {
    // Act
    const message = rejection(input);

    // Assess
    expect(message).toContain(`"${key}"`);
  });

  it.each([
    { field: 'energyKwh', value: -1 },
    { field: 'energyKwh', value: 0 },
    { field: 'maxCost', value: -5 },
    { field: 'maxCost', value: 0 },
    { field: 'maxPricePerKwh', value: -0.01 },
    { field: 'minEnergyKwh', value: -1 },
    { field: 'energyKwh', value: Number.POSITIVE_INFINITY },
    { field: 'energyKwh', value: Number.NaN },
    { field: 'energyKwh', value: '10' },
    { field: 'maxCost', value: null },
  ])('rejects $field = $value and names the field', ({ field, value }) => {
    // Act
    const message = rejection({ [field]: value });

    // Assess
    expect(message).toMatch(new RegExp(`(^|: )${field}: `));
  });

  it.each([
    { field: 'maxPricePerKwh', value: 0 },
    { field: 'minEnergyKwh', value: 0 },
  ])('accepts $field = 0', ({ field, value }) => {
    // Act
    const rules = parseRules({ [field]: value });

    // Assess
    expect(rules).toMatchObject({ [field]: value });
  });

  it.each(['7:00', '24:00', '12:60', '0700', '07:00:00', '', 'noon'])('rejects stopBy "%s"', (stopBy) => {
    // Act
    const message = rejection({ stopBy });

    // Assess
    expect(message).toContain('stopBy: must be HH:MM');
  });

  it.each(['00:00', '07:30', '23:59'])('accepts stopBy "%s"', (stopBy) => {
    // Act
    const rules = parseRules({ stopBy });

    // Assess
    expect(rules.stopBy).toBe(stopBy);
  });

  it.each(['Mars/Olympus_Mons', 'CET+1', '', 'Europe/Copenhagen '])('rejects timezone "%s"', (timezone) => {
    // Act
    const message = rejection({ timezone });

    // Assess
    expect(message).toContain('timezone: must be an IANA time zone');
  });

  it.each(['UTC', 'America/New_York', 'Europe/Copenhagen'])('accepts timezone %s', (timezone) => {
    // Act
    const rules = parseRules({ timezone });

    // Assess
    expect(rules.timezone).toBe(timezone);
  });

  it.each([
    { field: 'priceSource', value: 'foo' },
    { field: 'priceArea', value: 'DK3' },
    { field: 'dryRun', value: 'yes' },
  ])('rejects $field = $value', ({ field, value }) => {
    // Act
    const message = rejection({ [field]: value });

    // Assess
    expect(message).toContain(`${field}: `);
  });

  it('names every offending field in one message', () => {
    // Act
    const message = rejection({ energyKwh: -1, maxCost: 0, stopBy: 'x' });

    // Assess
    expect(message).toContain('energyKwh: ');
    expect(message).toContain('maxCost: ');
    expect(message).toContain('stopBy: ');
    expect(message.split('\n')).toHaveLength(1);
  });

  it.each([null, [], 'rules', 42])('rejects %s as the whole rules value', (input) => {
    // Act
    const message = rejection(input);

    // Assess
    expect(message).toContain('(root)');
  });
});

describe('parseRulesJson', () => {
  it('parses rules from JSON text', () => {
    // Act
    const rules = parseRulesJson('{"energyKwh": 12.5}');

    // Assess
    expect(rules.energyKwh).toBe(12.5);
  });

  it('reports text that is not JSON as a ConfigError naming the origin', () => {
    // Act
    const act = () => parseRulesJson('{energyKwh: 1}', 'rules file /tmp/r.json');

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(/^invalid rules file \/tmp\/r\.json: not JSON/);
  });
});
