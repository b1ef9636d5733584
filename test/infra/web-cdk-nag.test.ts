import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { newApp, newStack } from './stack-fixture.ts';

interface ReportedViolation {
  readonly ruleName: string;
  readonly reason?: string;
  readonly acknowledgedAt?: string;
}

interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly conclusion: string;
    readonly violations: readonly ReportedViolation[];
    readonly suppressedViolations?: readonly ReportedViolation[];
  }[];
}

const WEB = { accounts: [{ name: 'home' }, { name: 'cabin', schedule: 'rate(2 minutes)' }], web: true };

function synthWithNag(extend: (stack: ReturnType<typeof newStack>) => void = () => {}): ValidationReport {
  const app = newApp({ cloudFormationValidation: true });
  const stack = newStack(WEB, app);
  extend(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  return JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
}

describe('cdk-nag AwsSolutions checks with web: true', () => {
  it('pass with the web pages acknowledging only their pinned runtime', () => {
    // Act
    const report = synthWithNag();

    // Assess
    expect(report.pluginReports.flatMap((plugin) => plugin.violations)).toEqual([]);
    expect(report.pluginReports.find((plugin) => plugin.pluginName === 'AwsSolutions')?.conclusion).toBe(
      'success',
    );
    const web = report.pluginReports
      .flatMap((plugin) => plugin.suppressedViolations ?? [])
      .filter((violation) => violation.acknowledgedAt?.startsWith('Stopwatt/Web-'));
    expect(web.map((violation) => `${violation.ruleName} ${violation.acknowledgedAt}`).sort()).toEqual([
      'AwsSolutions-L1 Stopwatt/Web-cabin/Function',
      'AwsSolutions-L1 Stopwatt/Web-home/Function',
    ]);
    for (const violation of web) expect(violation.reason?.length).toBeGreaterThan(40);
  });

  it('fail synth when the web role is widened to the whole account path', () => {
    expect(() =>
      synthWithNag((stack) => {
        stack.webApps[0]?.role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['ssm:GetParameter'],
            resources: [`arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:parameter/stopwatt/home/*`],
          }),
        );
      }),
    ).toThrow(/Stopwatt\/Web-home\/FunctionRole.*\n?.*AwsSolutions-IAM5/);
  });
});
