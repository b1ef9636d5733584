import { readdirSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDeployConfig } from '../../lib/deploy-config.ts';
import {
  flat,
  grants,
  newStack,
  type PolicyStatementJson,
  resourceByPrefix,
  synthTemplate,
} from './stack-fixture.ts';

const PARAMETER = 'arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/stopwatt';

const WEB_TWO_ACCOUNTS = {
  accounts: [{ name: 'home' }, { name: 'cabin', priceArea: 'DK2' as const, schedule: 'rate(2 minutes)' }],
  web: true,
};

function roleStatements(template: Template, prefix: string): PolicyStatementJson[] {
  const { properties } = resourceByPrefix(template, 'AWS::IAM::Role', prefix);
  const policies = properties.Policies as { PolicyDocument: { Statement: PolicyStatementJson[] } }[];
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

function statementFor(statements: readonly PolicyStatementJson[], action: string): PolicyStatementJson {
  const found = statements.filter((statement) => [statement.Action].flat().includes(action));
  expect(found).toHaveLength(1);
  return found[0] as PolicyStatementJson;
}

describe('the web flag of the deploy config', () => {
  it('is off unless set, and must be a boolean', () => {
    expect(parseDeployConfig({}).web).toBe(false);
    expect(parseDeployConfig({ web: true }).web).toBe(true);
    expect(() => parseDeployConfig({ web: 'yes' })).toThrow(/web: /);
  });
});

describe('StopwattStack without web (the default)', () => {
  it('has no web function, no Function URL, no web parameter and no URL output', () => {
    // Prepare
    const template = synthTemplate({ accounts: [{ name: 'home' }] });

    // Act
    const functions = Object.keys(template.findResources('AWS::Lambda::Function'));

    // Assess
    expect(functions.filter((id) => id.startsWith('Web'))).toEqual([]);
    template.resourceCountIs('AWS::Lambda::Url', 0);
    template.resourceCountIs('AWS::SSM::Parameter', 0);
    expect(Object.keys(template.findOutputs('*')).filter((id) => id.startsWith('WebUrl'))).toEqual([]);
  });
});

describe('StopwattStack with web: true and two accounts', () => {
  let template: Template;
  let fnId: string;
  let outdir: string;

  beforeAll(() => {
    const stack = newStack(WEB_TWO_ACCOUNTS);
    template = Template.fromStack(stack);
    outdir = stack.node.root instanceof App ? stack.node.root.outdir : '';
    fnId = resourceByPrefix(template, 'AWS::Lambda::Function', 'WebhomeFunction').id;
  });

  it('serves each account behind its own public Function URL on nodejs22.x arm64', () => {
    template.resourceCountIs('AWS::Lambda::Url', 2);
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': [fnId, 'Arn'] },
    });
    const { properties } = resourceByPrefix(template, 'AWS::Lambda::Function', 'WebhomeFunction');
    expect(properties.Runtime).toBe('nodejs22.x');
    expect(properties.Architectures).toEqual(['arm64']);
    expect(properties.Handler).toBe('index.handler');
  });

  it('ships the stylesheet, chart script and uPlot beside the bundle, served from the app’s origin', () => {
    const { properties } = resourceByPrefix(template, 'AWS::Lambda::Function', 'WebhomeFunction');
    const key = (properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '');
    expect(readdirSync(path.join(outdir, `asset.${key}`, 'static')).sort()).toEqual([
      'app.css',
      'charts.js',
      'uplot.css',
      'uplot.js',
    ]);
  });

  it('lets anyone invoke the function only through its URL, not the Invoke API', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map(
      (resource) => resource.Properties,
    );
    const home = permissions.filter((p) => JSON.stringify(p.FunctionName).includes(fnId));
    expect(home).toEqual([
      expect.objectContaining({
        Action: 'lambda:InvokeFunctionUrl',
        FunctionUrlAuthType: 'NONE',
        Principal: '*',
      }),
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        InvokedViaFunctionUrl: true,
        Principal: '*',
      }),
    ]);
  });

  it('tells the function its account, table and prefix, and no secret', () => {
    const { properties } = resourceByPrefix(template, 'AWS::Lambda::Function', 'WebcabinFunction');
    const variables = (properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).toMatchObject({
      STOPWATT_ACCOUNT: 'cabin',
      STOPWATT_PARAMETER_PREFIX: '/stopwatt',
    });
    expect(flat(variables.STOPWATT_TABLE_NAME)).toMatch(/^<SessionTable\w+>$/);
    expect(Object.keys(variables).filter((name) => /TOKEN|PASSWORD|SECRET|KEY/.test(name))).toEqual([]);
  });

  it('outputs each URL and stores it, and the table name, as SSM String parameters for web-link', () => {
    const outputs = template.findOutputs('*');
    const urlId = resourceByPrefix(template, 'AWS::Lambda::Url', 'WebhomeFunctionFunctionUrl').id;
    expect(outputs.WebUrlhome?.Value).toEqual({ 'Fn::GetAtt': [urlId, 'FunctionUrl'] });
    expect(outputs).toHaveProperty('WebUrlcabin');
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/stopwatt/home/web/url',
      Type: 'String',
      Value: { 'Fn::GetAtt': [urlId, 'FunctionUrl'] },
    });
    const table = resourceByPrefix(template, 'AWS::DynamoDB::GlobalTable', 'SessionTable').id;
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/stopwatt/cabin/web/table',
      Type: 'String',
      Value: { Ref: table },
    });
    template.resourceCountIs('AWS::SSM::Parameter', 4);
  });

  it('grants the web role exactly its log group, the rules, its signing key and the table', () => {
    const logGroup = resourceByPrefix(template, 'AWS::Logs::LogGroup', 'WebhomeLogGroup').id;
    const table = resourceByPrefix(template, 'AWS::DynamoDB::GlobalTable', 'SessionTable').id;
    expect(grants(roleStatements(template, 'WebhomeFunctionRole'))).toEqual(
      [
        `logs:CreateLogStream <${logGroup}.Arn>`,
        `logs:PutLogEvents <${logGroup}.Arn>`,
        `ssm:GetParameter ${PARAMETER}/home/rules`,
        `ssm:GetParameter ${PARAMETER}/home/web/signing-key`,
        `ssm:PutParameter ${PARAMETER}/home/rules`,
        `dynamodb:GetItem <${table}.Arn>`,
        `dynamodb:Query <${table}.Arn>`,
        `dynamodb:PutItem <${table}.Arn>`,
        `dynamodb:UpdateItem <${table}.Arn>`,
        `dynamodb:DeleteItem <${table}.Arn>`,
      ].sort(),
    );
  });

  it('gives the web role no way to the AMPECO token or credentials, nor to another account', () => {
    const all = [...grants(roleStatements(template, 'WebhomeFunctionRole'))];
    expect(all.filter((grant) => /token|credentials|\*/.test(grant))).toEqual([]);
    expect(all.filter((grant) => grant.includes('/cabin/'))).toEqual([]);
    expect(all.filter((grant) => /lambda:|kms:|sns:/.test(grant))).toEqual([]);
  });

  it('limits table reads to the account’s partitions and writes to its own and the price cache', () => {
    const statements = roleStatements(template, 'WebhomeFunctionRole');
    expect(statementFor(statements, 'dynamodb:Query').Condition).toEqual({
      'ForAllValues:StringLike': {
        'dynamodb:LeadingKeys': [
          'SESSION#home#*',
          'ACCOUNT#home',
          'CONDITION#home',
          'PRICES#*',
          'TICK#home',
          'WEB#home',
        ],
      },
    });
    expect(statementFor(statements, 'dynamodb:DeleteItem').Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['WEB#home', 'PRICES#*'] },
    });
  });

  it('leaves the check role as it is: the web adds no grant to it', () => {
    const withWeb = grants(roleStatements(template, 'CheckFunctionRole'));
    const without = grants(
      roleStatements(synthTemplate({ ...WEB_TWO_ACCOUNTS, web: false }), 'CheckFunctionRole'),
    );
    expect(withWeb).toEqual(without);
  });
});
