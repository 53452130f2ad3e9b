// CDK entry point: `npx cdk synth` (cdk.json runs this file with tsx on the pinned Node.js).
// Config: `-c config=path/to/config.json`, or IC_CONFIG=path, default cdk/config.example.json.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ASL_PATH, readAsl } from './asl.js';
import { ConfigError, loadConfig } from './config.js';
import { InstantCloneStack } from './instant-clone-stack.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_CONFIG = 'cdk/config.example.json';
/** Context flag without which `vcenter.insecure: true` fails synth. */
export const ALLOW_INSECURE_CONTEXT = 'allowInsecureVcenter';

export interface BuildOptions {
  app?: App;
  configPath?: string;
  aslPath?: string;
  /** Folder holding `<kebab-state>/handler.ts` for the ASL's functions. */
  lambdasDir?: string;
  nag?: boolean;
}

/** Builds the app; tests call this with their own App (context) and fixture paths. */
export function buildApp(options: BuildOptions = {}): { app: App; stack: InstantCloneStack } {
  // Under the CDK CLI, CDK_OUTDIR says where to write; run directly (`npx tsx cdk/app.ts`) it writes cdk.out.
  const app = options.app ?? new App(process.env.CDK_OUTDIR ? {} : { outdir: resolve(REPO_ROOT, 'cdk.out') });
  const configPath =
    options.configPath ??
    (app.node.tryGetContext('config') as string | undefined) ??
    process.env.IC_CONFIG ??
    DEFAULT_CONFIG;
  const config = loadConfig(configPath, REPO_ROOT);
  const allowInsecure = String(app.node.tryGetContext(ALLOW_INSECURE_CONTEXT) ?? 'false') === 'true';
  if (config.vcenter.insecure && !allowInsecure) {
    throw new ConfigError(
      `Invalid deployment config ${configPath}:\n  vcenter.insecure: turns off TLS verification towards vCenter and ESXi ` +
        `(an ESXi thumbprint read over such a session pins nothing). Pin vCenter's certificate with ` +
        `vcenter.thumbprint instead, or, for a lab, pass -c ${ALLOW_INSECURE_CONTEXT}=true`,
    );
  }
  const asl = readAsl(
    REPO_ROOT,
    options.aslPath ?? (app.node.tryGetContext('asl') as string | undefined) ?? ASL_PATH,
    options.lambdasDir ?? 'lambdas',
  );
  const stack = new InstantCloneStack(app, config.stackName, {
    config,
    asl,
    root: REPO_ROOT,
    description: 'Instant-clone fleets: Step Functions workflow that instant-clones frozen vSphere VMs',
    ...(config.env === undefined ? {} : { env: config.env }),
  });
  if (options.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { app, stack } = buildApp();
    const assembly = app.synth();
    if (!process.env.CDK_OUTDIR) {
      const template = assembly.getStackByName(stack.stackName).template as {
        Resources: Record<string, unknown>;
      };
      console.log(
        `Synthesized ${stack.stackName}: ${Object.keys(template.Resources).length} resources, cdk-nag AwsSolutions clean -> ${assembly.directory}`,
      );
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
