import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { newApp, newStack } from './stack-fixture.ts';

interface ReportedViolation {
  readonly ruleName: string;
  readonly severity: string;
  readonly reason?: string;
  readonly acknowledgedAt?: string;
  readonly violatingConstructs: readonly { readonly constructPath: string }[];
}

interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly conclusion: string;
    readonly violations: readonly ReportedViolation[];
    readonly suppressedViolations?: readonly ReportedViolation[];
  }[];
}

const TWO_ACCOUNTS = { accounts: [{ name: 'home' }, { name: 'cabin', schedule: 'rate(2 minutes)' }] };

/** Synthesizes like `cdk synth` does: AwsSolutions as a validation plugin, built-in CFN validation on. */
function synthWithNag(extend: (stack: ReturnType<typeof newStack>) => void = () => {}): ValidationReport {
  const app = newApp({ cloudFormationValidation: true });
  const stack = newStack(TWO_ACCOUNTS, app);
  extend(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  return JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
}

describe('cdk-nag AwsSolutions checks', () => {
  it('pass with every finding acknowledged, none left as an error or a warning', () => {
    const report = synthWithNag();
    const nag = report.pluginReports.find((plugin) => plugin.pluginName === 'AwsSolutions');
    expect(nag?.conclusion).toBe('success');
    expect(nag?.violations).toEqual([]);
    // Other plugins (CloudFormation validation, construct annotations) must be clean too.
    expect(report.pluginReports.flatMap((plugin) => plugin.violations)).toEqual([]);
  });

  it('acknowledge only the expected findings, each on its own construct with a reason', () => {
    const report = synthWithNag();
    const suppressed = report.pluginReports.flatMap((plugin) => plugin.suppressedViolations ?? []);
    const byRule = Object.fromEntries(
      suppressed.map((violation) => [
        violation.ruleName.replace(/<CheckFunction\w+\.Arn>/, '<CheckFunction.Arn>'),
        violation,
      ]),
    );
    const ssm = 'arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/stopwatt';
    expect(Object.keys(byRule).sort()).toEqual(
      [
        `AwsSolutions-IAM5[Resource::${ssm}/home/*]`,
        `AwsSolutions-IAM5[Resource::${ssm}/cabin/*]`,
        'AwsSolutions-IAM5[Resource::<CheckFunction.Arn>:*]',
        'AwsSolutions-L1',
        'AwsSolutions-SQS3',
      ].sort(),
    );
    expect(byRule[`AwsSolutions-IAM5[Resource::${ssm}/home/*]`]?.acknowledgedAt).toBe(
      'Stopwatt/Check/FunctionRole',
    );
    expect(byRule['AwsSolutions-IAM5[Resource::<CheckFunction.Arn>:*]']?.acknowledgedAt).toBe(
      'Stopwatt/Check/SchedulerRole',
    );
    expect(byRule['AwsSolutions-L1']?.acknowledgedAt).toBe('Stopwatt/Check/Function');
    expect(byRule['AwsSolutions-SQS3']?.acknowledgedAt).toBe('Stopwatt/Check/DeadLetterQueue');
    for (const violation of suppressed) expect(violation.reason?.length).toBeGreaterThan(40);
  });

  it('fail synth on a finding nobody acknowledged', () => {
    expect(() =>
      synthWithNag((stack) => {
        new sqs.Queue(stack, 'Careless', { encryption: sqs.QueueEncryption.UNENCRYPTED });
      }),
    ).toThrow(/Stopwatt\/Careless\/Resource .*\n\s*Acknowledge with 'AwsSolutions::AwsSolutions-SQS4'/);
  });

  it('do not let one account’s acknowledgement cover another parameter path', () => {
    expect(() =>
      synthWithNag((stack) => {
        stack.check.role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['ssm:GetParameter'],
            resources: [`arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:parameter/stopwatt/*`],
          }),
        );
      }),
    ).toThrow(
      /AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter\/stopwatt\/\*\]/,
    );
  });
});
