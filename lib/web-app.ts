import path from 'node:path';
import { Aws, Duration, Token, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { ACCOUNT_NAME_PATTERN, ACCOUNT_NAME_RULE, DEFAULT_PARAMETER_PREFIX } from '../lambdas/contract.ts';
import { SIGNING_KEY_LEAF, TABLE_LEAF, tickPk, URL_LEAF, webPk } from '../lambdas/web/aws/names.ts';
import { assetPaths } from '../lambdas/web/static-assets.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');

export const DEFAULT_WEB_ENTRY = path.join(REPO_ROOT, 'lambdas/web/lambda-handler.ts');

/** The account a phone page serves. */
export interface WebAccount {
  /** Account name: the SSM path segment `/stopwatt/<name>/` and the log's key segment. */
  readonly name: string;
}

export interface WebAppProps {
  /**
   * The one account this page shows and steers.
   * @default - none: required
   */
  readonly account: WebAccount;
  /**
   * The session log table the check function writes.
   * @default - none: required
   */
  readonly table: dynamodb.ITableV2;
  /**
   * The web handler's TypeScript entry file.
   * @default - `lambdas/web/lambda-handler.ts` in the repository root
   */
  readonly entry?: string;
  /**
   * SSM path prefix shared with the check function.
   * @default '/stopwatt'
   */
  readonly parameterPrefix?: string;
  /**
   * How long CloudWatch keeps the function log.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logGroupRetention?: logs.RetentionDays;
  /**
   * Energi Data Service base URL (`STOPWATT_EDS_URL`).
   * @default 'https://api.energidataservice.dk'
   */
  readonly edsUrl?: string;
}

/**
 * The phone page of one account: a Lambda behind a Function URL (auth type NONE: the app signs
 * devices in itself). Its role reads the account's log, reads and writes only the account's rules
 * and reads its own signing key; it has no grant on the AMPECO token or credentials, so a "stop
 * now" is written into the rules and carried out by the check function.
 */
export class WebApp extends Construct {
  public readonly function: nodejs.NodejsFunction;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  public readonly functionUrl: lambda.FunctionUrl;
  /** String parameter `<prefix>/<account>/web/url` holding the URL, read by `stopwatt web-link`. */
  public readonly urlParameter: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: WebAppProps) {
    super(scope, id);
    const prefix = props.parameterPrefix ?? DEFAULT_PARAMETER_PREFIX;
    validateProps(props, prefix);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logGroupRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    this.role = this.buildRole(props, prefix);
    this.function = this.buildFunction(props, prefix);
    // NONE: a public URL by design; every route but sign-in requires the signed device cookie.
    this.functionUrl = this.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    this.urlParameter = this.buildParameters(props, prefix);
  }

  private buildRole(props: WebAppProps, prefix: string): iam.Role {
    const { name } = props.account;
    const parameterArn = (leaf: string) =>
      `arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:parameter${prefix}/${name}/${leaf}`;
    const statements = [
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
      // Named parameters only: the token and credentials beside them stay out of reach.
      new iam.PolicyStatement({
        actions: ['ssm:GetParameter'],
        resources: [parameterArn('rules'), parameterArn(SIGNING_KEY_LEAF)],
      }),
      new iam.PolicyStatement({ actions: ['ssm:PutParameter'], resources: [parameterArn('rules')] }),
      // Reads are limited to this account's partitions and the shared price cache.
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:Query'],
        resources: [props.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': readablePartitions(name) },
        },
      }),
      // Writes: its own sign-in links and throttle, and the price cache the Prices page may fill.
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [props.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': writablePartitions(name) },
        },
      }),
    ];
    return new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `stopwatt phone page of account ${name}`,
      // Inline, so the policy exists before the function does (no first-request race).
      inlinePolicies: { web: new iam.PolicyDocument({ statements }) },
    });
  }

  private buildFunction(props: WebAppProps, prefix: string): nodejs.NodejsFunction {
    const fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry ?? DEFAULT_WEB_ENTRY,
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      description: `stopwatt: phone page of account ${props.account.name}`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // A page reads a few items and at most one price day from Energi Data Service.
      timeout: Duration.seconds(15),
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        STOPWATT_ACCOUNT: props.account.name,
        STOPWATT_TABLE_NAME: props.table.tableName,
        STOPWATT_PARAMETER_PREFIX: prefix,
        STOPWATT_EDS_URL: props.edsUrl ?? 'https://api.energidataservice.dk',
        POWERTOOLS_SERVICE_NAME: 'stopwatt-web',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        // ESM output still meets CommonJS dependencies that call require().
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        // Nothing is left to the runtime's node_modules (the function calls AWS without the SDK).
        externalModules: [],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // The app serves its stylesheet, chart script and uPlot from its own origin: ship them.
          afterBundling: (_input, output) => [
            `mkdir -p "${output}/static"`,
            ...Object.entries(assetPaths()).map(
              ([name, file]) => `cp "${file.path}" "${output}/static/${name}"`,
            ),
          ],
        },
      },
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions::AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x like the check function: the bundle targets node22; move to a newer runtime deliberately, with the bundle target.',
    });
    return fn;
  }

  /** CDK cannot create SecureStrings: the signing key is created by `web-link` on first use. */
  private buildParameters(props: WebAppProps, prefix: string): ssm.StringParameter {
    const base = `${prefix}/${props.account.name}`;
    new ssm.StringParameter(this, 'TableParameter', {
      parameterName: `${base}/${TABLE_LEAF}`,
      stringValue: props.table.tableName,
      description: 'stopwatt: the table web-link stores sign-in links in',
    });
    return new ssm.StringParameter(this, 'UrlParameter', {
      parameterName: `${base}/${URL_LEAF}`,
      stringValue: this.functionUrl.url,
      description: 'stopwatt: the phone page URL web-link signs in to',
    });
  }
}

/** Partition keys (IAM StringLike patterns) the function may read: this account's log, and prices (public data). */
export function readablePartitions(account: string): string[] {
  return [
    `SESSION#${account}#*`,
    `ACCOUNT#${account}`,
    `CONDITION#${account}`,
    'PRICES#*',
    tickPk(account),
    webPk(account),
  ];
}

/** Partition keys the function may write. */
export function writablePartitions(account: string): string[] {
  return [webPk(account), 'PRICES#*'];
}

function validateProps(props: WebAppProps, prefix: string): void {
  if (Token.isUnresolved(prefix) || !/^(\/[A-Za-z0-9_.-]+)+$/.test(prefix)) {
    throw new Error(`WebApp: parameterPrefix must look like /stopwatt, got "${prefix}"`);
  }
  if (!ACCOUNT_NAME_PATTERN.test(props.account.name)) {
    throw new Error(`WebApp: account name "${props.account.name}" ${ACCOUNT_NAME_RULE}`);
  }
}
