import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ENTRY, type ScheduledAccount, ScheduledCheck } from '../../lib/scheduled-check.ts';
import {
  FIXTURE_ENTRY,
  grants,
  newApp,
  newStack,
  type PolicyStatementJson,
  REPO_ROOT,
  resourceByPrefix,
  synthTemplate,
} from './stack-fixture.ts';

const PARAMETER = 'arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/stopwatt';

const TWO_ACCOUNTS = {
  accounts: [
    { name: 'home' },
    {
      name: 'cabin',
      apiUrl: 'https://elaway.example.com',
      priceArea: 'DK2' as const,
      schedule: 'rate(5 minutes)',
    },
  ],
  notificationEmail: 'driver@example.com',
  webhookUrl: 'https://hooks.example.com/stopwatt',
  logRetentionDays: 30,
  logGroupRetentionDays: 14,
  alarms: { noTickMinutes: 20 },
};

function functionProps(template: Template) {
  return resourceByPrefix(template, 'AWS::Lambda::Function', 'CheckFunction').properties;
}

function functionRoleStatements(template: Template): PolicyStatementJson[] {
  const { properties } = resourceByPrefix(template, 'AWS::IAM::Role', 'CheckFunctionRole');
  const policies = properties.Policies as { PolicyDocument: { Statement: PolicyStatementJson[] } }[];
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

describe('StopwattStack with two accounts', () => {
  let template: Template;
  let outdir: string;
  let ids: { fn: string; table: string; topic: string; dlq: string; logGroup: string; schedulerRole: string };

  beforeAll(() => {
    const stack = newStack(TWO_ACCOUNTS);
    template = Template.fromStack(stack);
    outdir = stack.node.root instanceof App ? stack.node.root.outdir : '';
    ids = {
      fn: resourceByPrefix(template, 'AWS::Lambda::Function', 'CheckFunction').id,
      table: resourceByPrefix(template, 'AWS::DynamoDB::GlobalTable', 'SessionTable').id,
      topic: resourceByPrefix(template, 'AWS::SNS::Topic', 'Topic').id,
      dlq: resourceByPrefix(template, 'AWS::SQS::Queue', 'CheckDeadLetterQueue').id,
      logGroup: resourceByPrefix(template, 'AWS::Logs::LogGroup', 'CheckLogGroup').id,
      schedulerRole: resourceByPrefix(template, 'AWS::IAM::Role', 'CheckSchedulerRole').id,
    };
  });

  describe('schedules', () => {
    it('creates one schedule per account with its rate expression and no flexible window', () => {
      const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule'));
      expect(schedules).toHaveLength(2);
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'rate(1 minute)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Target: Match.objectLike({ Input: '{"account":"home"}' }),
      });
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'rate(5 minutes)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: Match.objectLike({ Input: '{"account":"cabin"}' }),
      });
    });

    it('targets the check function through the scheduler role', () => {
      for (const account of ['home', 'cabin']) {
        template.hasResourceProperties('AWS::Scheduler::Schedule', {
          Target: Match.objectLike({
            Input: JSON.stringify({ account }),
            Arn: { 'Fn::GetAtt': [ids.fn, 'Arn'] },
            RoleArn: { 'Fn::GetAtt': [ids.schedulerRole, 'Arn'] },
          }),
        });
      }
    });

    it('retries an undelivered tick twice within one interval, then dead-letters it to the shared queue', () => {
      const expected = [
        ['{"account":"home"}', 60],
        ['{"account":"cabin"}', 300],
      ] as const;
      for (const [input, maxAge] of expected) {
        template.hasResourceProperties('AWS::Scheduler::Schedule', {
          Target: Match.objectLike({
            Input: input,
            RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: maxAge },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [ids.dlq, 'Arn'] } },
          }),
        });
      }
    });

    it('keeps dead letters 14 days in an SQS-encrypted queue that refuses plain HTTP', () => {
      template.resourceCountIs('AWS::SQS::Queue', 1);
      template.hasResourceProperties('AWS::SQS::Queue', {
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: ids.dlq }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('lets only this account’s scheduler assume the role, to invoke this function and send dead letters', () => {
      const role = resourceByPrefix(template, 'AWS::IAM::Role', 'CheckSchedulerRole').properties;
      expect(role.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: {
              StringEquals: {
                'aws:SourceAccount': { Ref: 'AWS::AccountId' },
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':scheduler:',
                      { Ref: 'AWS::Region' },
                      ':',
                      { Ref: 'AWS::AccountId' },
                      ':schedule-group/default',
                    ],
                  ],
                },
              },
            },
          },
        ],
      });
      const policy = resourceByPrefix(
        template,
        'AWS::IAM::Policy',
        'CheckSchedulerRoleDefaultPolicy',
      ).properties;
      const document = policy.PolicyDocument as { Statement: PolicyStatementJson[] };
      expect(grants(document.Statement)).toEqual(
        [
          `lambda:InvokeFunction <${ids.fn}.Arn>`,
          `lambda:InvokeFunction <${ids.fn}.Arn>:*`,
          `sqs:SendMessage <${ids.dlq}.Arn>`,
        ].sort(),
      );
    });
  });

  describe('function', () => {
    it('runs nodejs22.x on arm64 with 256 MB and a timeout of the longest interval plus 60 s', () => {
      const fn = functionProps(template);
      expect(fn.Runtime).toBe('nodejs22.x');
      expect(fn.Architectures).toEqual(['arm64']);
      expect(fn.MemorySize).toBe(256);
      expect(fn.Timeout).toBe(300 + 60);
      expect(fn.Handler).toBe('index.handler');
      expect(fn).not.toHaveProperty('ReservedConcurrentExecutions');
    });

    it('is not retried by Lambda and drops events older than the shortest interval', () => {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: ids.fn },
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
      });
    });

    it('passes exactly the documented environment variables', () => {
      const variables = (functionProps(template).Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(Object.keys(variables).sort()).toEqual(
        [
          'NODE_OPTIONS',
          'POWERTOOLS_LOG_LEVEL',
          'POWERTOOLS_METRICS_NAMESPACE',
          'POWERTOOLS_SERVICE_NAME',
          'STOPWATT_ACCOUNTS',
          'STOPWATT_EDS_URL',
          'STOPWATT_PARAMETER_PREFIX',
          'STOPWATT_TABLE_NAME',
          'STOPWATT_TOPIC_ARN',
          'STOPWATT_TTL_DAYS',
          'STOPWATT_WEBHOOK_URL',
        ].sort(),
      );
      expect(variables).toEqual({
        STOPWATT_TABLE_NAME: { Ref: ids.table },
        STOPWATT_PARAMETER_PREFIX: '/stopwatt',
        STOPWATT_ACCOUNTS: expect.any(String),
        STOPWATT_TOPIC_ARN: { Ref: ids.topic },
        STOPWATT_WEBHOOK_URL: 'https://hooks.example.com/stopwatt',
        STOPWATT_TTL_DAYS: '30',
        STOPWATT_EDS_URL: 'https://api.energidataservice.dk',
        POWERTOOLS_SERVICE_NAME: 'stopwatt',
        POWERTOOLS_METRICS_NAMESPACE: 'Stopwatt',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      });
    });

    it('describes each account to the handler by name, API, price area, horizon and idle interval', () => {
      const variables = (functionProps(template).Environment as { Variables: Record<string, string> })
        .Variables;
      expect(JSON.parse(variables.STOPWATT_ACCOUNTS ?? 'null')).toEqual([
        {
          name: 'home',
          apiUrl: 'https://drivee.eu.charge.ampeco.tech',
          priceArea: 'DK1',
          horizonSeconds: 60,
          idleIntervalMinutes: 5,
        },
        {
          name: 'cabin',
          apiUrl: 'https://elaway.example.com',
          priceArea: 'DK2',
          horizonSeconds: 300,
          idleIntervalMinutes: 5,
        },
      ]);
    });

    it('logs to its own log group with the configured retention', () => {
      template.resourceCountIs('AWS::Logs::LogGroup', 1);
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
      expect(functionProps(template).LoggingConfig).toEqual({ LogGroup: { Ref: ids.logGroup } });
    });

    it('grants exactly its log group, the two account paths, the table and the topic', () => {
      expect(grants(functionRoleStatements(template))).toEqual(
        [
          `logs:CreateLogStream <${ids.logGroup}.Arn>`,
          `logs:PutLogEvents <${ids.logGroup}.Arn>`,
          `ssm:GetParameter ${PARAMETER}/home/*`,
          `ssm:GetParameter ${PARAMETER}/cabin/*`,
          `ssm:PutParameter ${PARAMETER}/home/token`,
          `ssm:PutParameter ${PARAMETER}/home/credentials`,
          `ssm:PutParameter ${PARAMETER}/home/rules`,
          `ssm:PutParameter ${PARAMETER}/cabin/token`,
          `ssm:PutParameter ${PARAMETER}/cabin/credentials`,
          `ssm:PutParameter ${PARAMETER}/cabin/rules`,
          `dynamodb:GetItem <${ids.table}.Arn>`,
          `dynamodb:PutItem <${ids.table}.Arn>`,
          `dynamodb:UpdateItem <${ids.table}.Arn>`,
          `dynamodb:Query <${ids.table}.Arn>`,
          `sns:Publish <${ids.topic}>`,
        ].sort(),
      );
    });

    it('uses no managed policies', () => {
      const { properties } = resourceByPrefix(template, 'AWS::IAM::Role', 'CheckFunctionRole');
      expect(properties).not.toHaveProperty('ManagedPolicyArns');
      template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    });

    it('bundles the handler as minified ESM with a require shim and a source map', () => {
      const code = functionProps(template).Code as { S3Key: string };
      const assetDir = path.join(outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
      expect(readdirSync(assetDir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
      const bundle = readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
      expect(bundle).toMatch(
        /^import \{ createRequire \} from 'module'; const require = createRequire\(import\.meta\.url\);/,
      );
      // Minified (true -> !0) ESM export, with the source map linked for --enable-source-maps.
      expect(bundle).toContain('ok:!0');
      expect(bundle).toMatch(/export\{\w+ as handler\}/);
      expect(bundle).toContain('//# sourceMappingURL=index.mjs.map');
    });
  });

  it('grants no wildcard action anywhere and no SSM or DynamoDB action on every resource', () => {
    const statements = [
      ...Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
        (policy) => (policy.Properties.PolicyDocument as { Statement: PolicyStatementJson[] }).Statement,
      ),
      ...Object.values(template.findResources('AWS::IAM::Role')).flatMap((role) =>
        (
          (role.Properties.Policies ?? []) as { PolicyDocument: { Statement: PolicyStatementJson[] } }[]
        ).flatMap((policy) => policy.PolicyDocument.Statement),
      ),
    ];
    expect(statements.length).toBeGreaterThan(0);
    for (const pair of grants(statements)) {
      const [action = '', resource = ''] = pair.split(' ');
      expect(action).not.toContain('*');
      if (/^(ssm|dynamodb):/.test(action)) expect(resource).not.toBe('*');
    }
  });

  describe('session table', () => {
    it('is on-demand with pk/sk string keys, PITR, TTL on expiresAt, deletion protection and KMS', () => {
      template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [
          Match.objectLike({
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            DeletionProtectionEnabled: true,
          }),
        ],
      });
    });

    it('survives stack deletion and replacement', () => {
      template.hasResource('AWS::DynamoDB::GlobalTable', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });
  });

  describe('notifications and alarms', () => {
    it('publishes to a topic that refuses plain HTTP and admits only this account’s alarms', () => {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: ids.topic }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sns:Publish',
              Principal: '*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
            {
              Sid: 'AllowCloudWatchAlarms',
              Effect: 'Allow',
              Action: 'sns:Publish',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Resource: { Ref: ids.topic },
              Condition: {
                StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
                ArnLike: { 'aws:SourceArn': Match.anyValue() },
              },
            },
          ]),
        },
      });
    });

    it('subscribes the configured e-mail address', () => {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'driver@example.com',
        TopicArn: { Ref: ids.topic },
      });
    });

    it('wires every alarm to the topic', () => {
      const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
      expect(alarms).toHaveLength(3);
      for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: ids.topic }]);
    });

    it('alarms on one function error in 5 minutes', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: ids.fn } }],
        Statistic: 'Sum',
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    });

    it('alarms on a message in the dead-letter queue', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.dlq, 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    });

    it('alarms when no tick succeeded for the configured minutes, counting silence as failure', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'Stopwatt',
        MetricName: 'SuccessfulTicks',
        Dimensions: [{ Name: 'service', Value: 'stopwatt' }],
        Statistic: 'Sum',
        Period: 20 * 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      });
    });
  });

  it('outputs the table name, topic ARN and function name', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(['FunctionName', 'TableName', 'TopicArn']);
    expect(outputs.TableName?.Value).toEqual({ Ref: ids.table });
    expect(outputs.TopicArn?.Value).toEqual({ Ref: ids.topic });
    expect(outputs.FunctionName?.Value).toEqual({ Ref: ids.fn });
  });
});

describe('StopwattStack with the defaults', () => {
  it('checks one account named default every minute with a 2-minute timeout', () => {
    const template = synthTemplate();
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      Target: Match.objectLike({ Input: '{"account":"default"}' }),
    });
    expect(functionProps(template).Timeout).toBe(120);
    expect(grants(functionRoleStatements(template)).filter((grant) => grant.startsWith('ssm:'))).toEqual(
      [
        `ssm:GetParameter ${PARAMETER}/default/*`,
        `ssm:PutParameter ${PARAMETER}/default/credentials`,
        `ssm:PutParameter ${PARAMETER}/default/rules`,
        `ssm:PutParameter ${PARAMETER}/default/token`,
      ].sort(),
    );
  });

  it('omits the webhook variable and the e-mail subscription when neither is configured', () => {
    const template = synthTemplate();
    const variables = (functionProps(template).Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(variables).not.toHaveProperty('STOPWATT_WEBHOOK_URL');
    expect(variables).toHaveProperty('STOPWATT_TOPIC_ARN');
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });
});

describe('ScheduledCheck', () => {
  const account: ScheduledAccount = {
    name: 'solo',
    apiUrl: 'https://drivee.eu.charge.ampeco.tech',
    priceArea: 'DK1',
    schedule: 'rate(1 minute)',
    horizonSeconds: 60,
  };

  function bareStack(): { stack: Stack; table: dynamodb.TableV2 } {
    const stack = new Stack(newApp(), 'Bare');
    const table = new dynamodb.TableV2(stack, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    });
    return { stack, table };
  }

  it('defaults to the real handler in lambdas/check', () => {
    expect(DEFAULT_ENTRY).toBe(path.join(REPO_ROOT, 'lambdas/check/handler.ts'));
  });

  it('grants no sns:Publish and sets no topic variable without a topic', () => {
    const { stack, table } = bareStack();
    new ScheduledCheck(stack, 'Check', { entry: FIXTURE_ENTRY, accounts: [account], table });
    const template = Template.fromStack(stack);
    expect(grants(functionRoleStatements(template)).some((grant) => grant.startsWith('sns:'))).toBe(false);
    const variables = (functionProps(template).Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(variables).not.toHaveProperty('STOPWATT_TOPIC_ARN');
    expect(variables.STOPWATT_TTL_DAYS).toBe('90');
  });

  it('scopes SSM access to a custom parameter prefix', () => {
    const { stack, table } = bareStack();
    new ScheduledCheck(stack, 'Check', {
      entry: FIXTURE_ENTRY,
      accounts: [account],
      table,
      parameterPrefix: '/ev/stopwatt',
      edsUrl: 'http://127.0.0.1:9999',
    });
    const template = Template.fromStack(stack);
    const base = 'arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/ev/stopwatt/solo';
    expect(grants(functionRoleStatements(template)).filter((grant) => grant.startsWith('ssm:'))).toEqual(
      [
        `ssm:GetParameter ${base}/*`,
        `ssm:PutParameter ${base}/credentials`,
        `ssm:PutParameter ${base}/rules`,
        `ssm:PutParameter ${base}/token`,
      ].sort(),
    );
    const variables = (functionProps(template).Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(variables.STOPWATT_PARAMETER_PREFIX).toBe('/ev/stopwatt');
    expect(variables.STOPWATT_EDS_URL).toBe('http://127.0.0.1:9999');
  });

  it.each([
    ['no accounts', { accounts: [] }, /accounts must not be empty/],
    ['a prefix without a leading slash', { parameterPrefix: 'stopwatt' }, /parameterPrefix must look like/],
    ['a prefix with a trailing slash', { parameterPrefix: '/stopwatt/' }, /parameterPrefix must look like/],
    [
      'a horizon that does not fit Lambda’s 900 s timeout',
      { accounts: [{ ...account, horizonSeconds: 900 }] },
      /exceeds Lambda's 900 s timeout/,
    ],
  ])('rejects %s', (_label, overrides, message) => {
    const { stack, table } = bareStack();
    expect(
      () =>
        new ScheduledCheck(stack, 'Check', {
          entry: FIXTURE_ENTRY,
          accounts: [account],
          table,
          ...overrides,
        }),
    ).toThrow(message);
  });
});
