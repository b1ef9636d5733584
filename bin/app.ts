import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type DeployConfig, loadDeployConfig } from '../lib/deploy-config.ts';
import { StopwattStack } from '../lib/stopwatt-stack.ts';

const app = new App();

let config: DeployConfig;
try {
  const configPath: unknown = app.node.tryGetContext('config');
  if (configPath !== undefined && typeof configPath !== 'string') {
    throw new Error('Context "config" must be a file path (cdk synth -c config=path)');
  }
  config = loadDeployConfig({ path: configPath, warn: (message) => console.error(message) });
} catch (error) {
  // A config mistake is the user's to fix: print the one-line reason, not a stack trace.
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}

new StopwattStack(app, 'Stopwatt', { config });
// cdk-nag runs as a validation plugin during synth: any unacknowledged finding fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
