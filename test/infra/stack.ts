/**
 * The construct synthesized for the unit tests: bundling skipped (context
 * aws:cdk:bundling-stacks = []) and CDK's built-in template validation off (test/infra/synth.test.ts
 * runs both, through the real `cdk synth`), so that a synth costs about a second.
 */
import { App, type CfnElement, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import type { CfnRole } from "aws-cdk-lib/aws-iam";
import { SAMPLE_ACCOUNT, SAMPLE_PROPS, SAMPLE_REGION } from "../../infra/sample.js";
import { SegmentationSynchronizer, type SegmentationSynchronizerProps } from "../../infra/synchronizer.js";

export interface Synthesized {
  readonly app: App;
  readonly stack: Stack;
  readonly synchronizer: SegmentationSynchronizer;
  readonly template: Template;
}

/** Props, or a function of the stack for props that hold constructs (a KMS key). */
export type PropsOf = SegmentationSynchronizerProps | ((stack: Stack) => SegmentationSynchronizerProps);

/** `account: null`: an environment-agnostic stack. */
export function construct(
  props: PropsOf = SAMPLE_PROPS,
  account: string | null = SAMPLE_ACCOUNT,
): { app: App; stack: Stack; synchronizer: SegmentationSynchronizer } {
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] }, builtinCloudFormationValidation: false });
  const stack = new Stack(app, "Segsync", {
    ...(account === null ? {} : { env: { account, region: SAMPLE_REGION } }),
  });
  const synchronizer = new SegmentationSynchronizer(
    stack,
    "Segsync",
    typeof props === "function" ? props(stack) : props,
  );
  return { app, stack, synchronizer };
}

export function synthesize(
  props: PropsOf = SAMPLE_PROPS,
  account: string | null = SAMPLE_ACCOUNT,
): Synthesized {
  const built = construct(props, account);
  return { ...built, template: Template.fromStack(built.stack) };
}

export function logicalId(element: { node: { defaultChild?: unknown } }, stack: Stack): string {
  return stack.getLogicalId(element.node.defaultChild as CfnElement);
}

export interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOf(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** Every statement of every identity policy attached to the role. */
export function roleStatements(template: Template, role: CfnRole, stack: Stack): Statement[] {
  const id = stack.getLogicalId(role);
  const policies = template.findResources("AWS::IAM::Policy");
  return Object.values(policies)
    .filter((policy) =>
      (policy.Properties.Roles as { Ref?: string }[]).some((reference) => reference.Ref === id),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** A JSON view of a template value with intrinsic functions rendered like IAM ARNs. */
export function flat(value: unknown): string {
  if (typeof value === "string") return value;
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if ("Ref" in record) return `<${String(record.Ref)}>`;
    if ("Fn::GetAtt" in record) return `<${(record["Fn::GetAtt"] as string[]).join(".")}>`;
    if ("Fn::Join" in record) {
      const [separator, parts] = record["Fn::Join"] as [string, unknown[]];
      return parts.map(flat).join(separator);
    }
  }
  return JSON.stringify(value);
}
