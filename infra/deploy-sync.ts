/**
 * A full sync after every deploy that changes what is enforced: a custom resource sends the
 * `full-sync` message when it is created and whenever the fingerprint (policy, configuration,
 * attachment) in its properties changes; an unchanged deploy leaves it alone.
 */
import { Duration } from "aws-cdk-lib";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from "aws-cdk-lib/custom-resources";
import { Construct, type IDependable } from "constructs";
import { QUEUE_MESSAGE_GROUP, type QueueMessage } from "../lib/ingest/queue-message.js";

export interface DeploySyncProps {
  readonly queue: IQueue;
  /** sha256 hex of what the reconciler enforces. */
  readonly fingerprint: string;
  /** Sent only after these are in place: the reconciler with the new policy, its event source. */
  readonly after: readonly IDependable[];
}

/** The message a deploy sends; its reason names the fingerprint so the audit log can tell deploys apart. */
export function deploySyncMessage(fingerprint: string): QueueMessage {
  return { kind: "full-sync", reason: `deploy: policy and config ${fingerprint.slice(0, 16)}` };
}

export class DeploySync extends Construct {
  readonly resource: AwsCustomResource;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: DeploySyncProps) {
    super(scope, id);
    // Its own role and log group, so that no managed policy with logs:* on every group is needed.
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: "segsync: sends a full sync after a deploy that changes the policy",
    });
    const logGroup = new LogGroup(this, "Logs", { retention: RetentionDays.THREE_MONTHS });
    logGroup.grantWrite(this.role);
    const call = {
      service: "SQS",
      action: "SendMessage",
      parameters: {
        QueueUrl: props.queue.queueUrl,
        MessageBody: JSON.stringify(deploySyncMessage(props.fingerprint)),
        MessageGroupId: QUEUE_MESSAGE_GROUP,
        // A retried deploy within SQS's 5-minute window sends the message once.
        MessageDeduplicationId: `deploy-${props.fingerprint.slice(0, 64)}`,
      },
      physicalResourceId: PhysicalResourceId.of(`segsync-deploy-sync-${props.fingerprint.slice(0, 16)}`),
    };
    this.resource = new AwsCustomResource(this, "Send", {
      onCreate: call,
      onUpdate: call,
      role: this.role,
      logGroup,
      installLatestAwsSdk: false,
      timeout: Duration.minutes(1),
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({ actions: ["sqs:SendMessage"], resources: [props.queue.queueArn] }),
      ]),
    });
    for (const dependency of props.after) this.resource.node.addDependency(dependency);
  }
}
