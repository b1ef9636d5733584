import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadDeployConfig } from '../lib/deploy-config.ts';
import { StopwattStack } from '../lib/stopwatt-stack.ts';

const app = new App();
const configPath: unknown = app.node.tryGetContext('config');
if (configPath !== undefined && typeof configPath !== 'string') {
  throw new Error('Context "config" must be a file path (cdk synth -c config=path)');
}
new StopwattStack(app, 'Stopwatt', { config: loadDeployConfig({ path: configPath }) });
// cdk-nag runs as a validation plugin during synth: any unacknowledged finding fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
