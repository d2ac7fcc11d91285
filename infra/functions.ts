/** One pipeline function: its bundle, its own role (no managed policies) and its log group. */
import { join } from "node:path";
import type { Duration } from "aws-cdk-lib";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, Runtime } from "aws-cdk-lib/aws-lambda";
import {
  type BundlingOptions,
  type ICommandHooks,
  NodejsFunction,
  OutputFormat,
} from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { BUNDLE, entryOf, type FunctionName, PROJECT_ROOT } from "./bundling.js";
import { commonEnvironment } from "./environments.js";

export interface PipelineFunctionOptions {
  readonly name: FunctionName;
  readonly description: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly reservedConcurrentExecutions?: number;
  readonly commandHooks?: ICommandHooks;
}

export interface PipelineFunction {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
}

/** BUNDLE (infra/bundling.ts) as NodejsFunction bundling options: local esbuild, never Docker. */
export function nodejsBundling(commandHooks?: ICommandHooks): BundlingOptions {
  return {
    target: BUNDLE.target,
    format: OutputFormat.ESM,
    minify: BUNDLE.minify,
    sourceMap: BUNDLE.sourcemap,
    sourcesContent: BUNDLE.sourcesContent,
    mainFields: [...BUNDLE.mainFields],
    externalModules: [...BUNDLE.external],
    banner: BUNDLE.banner,
    forceDockerBundling: false,
    ...(commandHooks === undefined ? {} : { commandHooks }),
  };
}

export function pipelineFunction(
  scope: Construct,
  id: string,
  options: PipelineFunctionOptions,
): PipelineFunction {
  const role = new Role(scope, `${id}Role`, {
    assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
    description: `segsync ${options.name} function`,
  });
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.THREE_MONTHS });
  // Instead of AWSLambdaBasicExecutionRole (logs:* on every group): this group only.
  logGroup.grantWrite(role);
  const fn = new NodejsFunction(scope, id, {
    entry: entryOf(options.name),
    handler: "handler",
    description: options.description,
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    memorySize: options.memorySize,
    timeout: options.timeout,
    role,
    logGroup,
    environment: { ...commonEnvironment(options.name), ...options.environment },
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: join(PROJECT_ROOT, "package-lock.json"),
    bundling: nodejsBundling(options.commandHooks),
    ...(options.reservedConcurrentExecutions === undefined
      ? {}
      : { reservedConcurrentExecutions: options.reservedConcurrentExecutions }),
  });
  return { function: fn, role, logGroup };
}

/** Copies one file into the bundle's output directory after esbuild ran. */
export function copyIntoBundle(source: string, name: string): ICommandHooks {
  const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) => [`cp ${quote(source)} ${quote(join(outputDir, name))}`],
  };
}
