/** One pipeline function: its prebuilt bundle, its own role (no managed policies) and its log group. */
import type { Duration } from "aws-cdk-lib";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, Function as LambdaFunction, Runtime } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { BUNDLE, type FunctionName } from "./bundling.js";
import { commonEnvironment } from "./environments.js";
import { type ExtraFiles, functionCode } from "./function-code.js";

export interface PipelineFunctionOptions {
  readonly name: FunctionName;
  readonly description: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly reservedConcurrentExecutions?: number;
  /** Files deployed beside the bundle (the reconciler's policy). */
  readonly extraFiles?: ExtraFiles;
}

export interface PipelineFunction {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
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
  const fn = new LambdaFunction(scope, id, {
    code: functionCode(options.name, options.extraFiles),
    // index.mjs exports `handler`.
    handler: `${BUNDLE.outfile.replace(/\.mjs$/, "")}.handler`,
    description: options.description,
    runtime: Runtime.NODEJS_24_X,
    architecture: Architecture.ARM_64,
    memorySize: options.memorySize,
    timeout: options.timeout,
    role,
    logGroup,
    environment: { ...commonEnvironment(options.name), ...options.environment },
    ...(options.reservedConcurrentExecutions === undefined
      ? {}
      : { reservedConcurrentExecutions: options.reservedConcurrentExecutions }),
  });
  return { function: fn, role, logGroup };
}
