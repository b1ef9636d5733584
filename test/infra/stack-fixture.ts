import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type DeployConfigInput, parseDeployConfig } from '../../lib/deploy-config.ts';
import { StopwattStack } from '../../lib/stopwatt-stack.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
/** A one-line handler: bundles in milliseconds and does not depend on the real one compiling. */
export const FIXTURE_ENTRY = path.join(import.meta.dirname, 'fixtures/handler.ts');

const cdkJson: unknown = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8'));
const featureFlags =
  typeof cdkJson === 'object' &&
  cdkJson !== null &&
  'context' in cdkJson &&
  typeof cdkJson.context === 'object'
    ? (cdkJson.context as Record<string, unknown>)
    : {};

/**
 * An App with the same feature flags as `cdk synth`, writing to a fresh temp dir, throwing on a failed
 * validation. The built-in CloudFormation schema validation costs seconds per synth: template tests
 * skip it, the cdk-nag test (a full `cdk synth` equivalent) turns it on.
 */
export function newApp(options: { cloudFormationValidation?: boolean } = {}): App {
  return new App({
    outdir: mkdtempSync(path.join(tmpdir(), 'stopwatt-cdk-')),
    context: { ...featureFlags, '@aws-cdk/core:appMode': 'inmemory' },
    builtinCloudFormationValidation: options.cloudFormationValidation ?? false,
  });
}

export function newStack(config: DeployConfigInput = {}, app: App = newApp()): StopwattStack {
  return new StopwattStack(app, 'Stopwatt', {
    config: parseDeployConfig(config),
    checkEntry: FIXTURE_ENTRY,
    webEntry: FIXTURE_ENTRY,
  });
}

export function synthTemplate(config: DeployConfigInput = {}): Template {
  return Template.fromStack(newStack(config));
}

/**
 * Renders CloudFormation intrinsics as readable strings, the way cdk-nag prints them: `{Ref: X}` -> `<X>`,
 * `{Fn::GetAtt: [X, Arn]}` -> `<X.Arn>`, `Fn::Join` concatenated. Makes ARN assertions read like ARNs.
 */
export function flat(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    if ('Ref' in value && typeof value.Ref === 'string') return `<${value.Ref}>`;
    if ('Fn::GetAtt' in value && Array.isArray(value['Fn::GetAtt'])) {
      return `<${value['Fn::GetAtt'].join('.')}>`;
    }
    if ('Fn::Join' in value && Array.isArray(value['Fn::Join'])) {
      const [separator, parts] = value['Fn::Join'];
      if (typeof separator === 'string' && Array.isArray(parts)) return parts.map(flat).join(separator);
    }
  }
  throw new Error(`cannot flatten ${JSON.stringify(value)}`);
}

export interface PolicyStatementJson {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Every Allow statement as `action resource` pairs, resources flattened with `flat`. */
export function grants(statements: readonly PolicyStatementJson[]): string[] {
  return statements
    .filter((statement) => statement.Effect === 'Allow')
    .flatMap((statement) =>
      asArray(statement.Action).flatMap((action) =>
        asArray(statement.Resource).map((resource) => `${action} ${flat(resource)}`),
      ),
    )
    .sort();
}

/** The resource of one type with exactly this logical ID prefix (CDK appends a hash). */
export function resourceByPrefix(
  template: Template,
  type: string,
  prefix: string,
): { id: string; properties: Record<string, unknown> } {
  const matches = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(prefix));
  const [match, ...rest] = matches;
  if (match === undefined || rest.length > 0) {
    throw new Error(`expected one ${type} starting with ${prefix}, found ${matches.length}`);
  }
  const [id, resource] = match;
  return { id, properties: (resource as { Properties: Record<string, unknown> }).Properties };
}
