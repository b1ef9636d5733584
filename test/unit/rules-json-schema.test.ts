import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRules, rulesJsonSchema } from '../../lambdas/config.ts';

describe('rules JSON Schema', () => {
  it('is up to date with the zod schema (run npm run schema after changing the rules)', async () => {
    // Arrange
    const committed = JSON.parse(
      await readFile(join(import.meta.dirname, '../../docs/rules.schema.json'), 'utf8'),
    );

    // Act
    const generated = rulesJsonSchema();

    // Assert
    expect(committed).toEqual(JSON.parse(JSON.stringify(generated)));
  });

  it('describes every rule and forbids unknown keys', () => {
    const schema = rulesJsonSchema() as {
      properties: Record<string, unknown>;
      additionalProperties: unknown;
    };

    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining([
        'energyKwh',
        'maxPricePerKwh',
        'minEnergyKwh',
        'maxCost',
        'stopBy',
        'priceSource',
        'tariff',
        'once',
      ]),
    );
    expect(schema.additionalProperties).toBe(false);
  });

  it('accepts a rules file that points at the schema for editor completion', () => {
    const rules = parseRules({ $schema: './docs/rules.schema.json', energyKwh: 20 });

    expect(rules.energyKwh).toBe(20);
  });
});
