import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Duration } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import { Schedule } from "aws-cdk-lib/aws-events";
import { describe, expect, it } from "vitest";
import { commonEnvironment } from "../../infra/environments.js";
import { SAMPLE_PROPS } from "../../infra/sample.js";
import { TABLE_KEYS } from "../../infra/synchronizer.js";
import { QUEUE_MESSAGE_GROUP, QueueMessageSchema } from "../../lib/ingest/queue-message.js";
import { LiveConfigSchema } from "../../lib/live/config.js";
import { flat, logicalId, synthesize } from "./stack.js";

const sample = synthesize();
const { template, stack, synchronizer } = sample;
const id = (element: { node: { defaultChild?: unknown } }) => logicalId(element, stack);

function functionProps(name: "aws-events" | "azure-events" | "gcp-events" | "reconciler") {
  const fn = synchronizer.functions[name];
  if (fn === undefined) throw new Error(`no ${name} function`);
  return template.toJSON().Resources[id(fn.function)].Properties;
}

describe("SegmentationSynchronizer: the queue", () => {
  it("is FIFO without content-based deduplication, and sends failures to a FIFO dead-letter queue", () => {
    // The FIFO queue, its dead-letter queue, and the EC2 events' dead-letter queue (below).
    template.resourceCountIs("AWS::SQS::Queue", 3);
    template.hasResourceProperties("AWS::SQS::Queue", {
      FifoQueue: true,
      ContentBasedDeduplication: false,
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 900,
      RedrivePolicy: {
        deadLetterTargetArn: { "Fn::GetAtt": [id(synchronizer.deadLetterQueue), "Arn"] },
        maxReceiveCount: 5,
      },
    });
    template.hasResourceProperties("AWS::SQS::Queue", {
      FifoQueue: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
      RedrivePolicy: Match.absent(),
    });
  });

  it("refuses plain-HTTP access to both queues", () => {
    for (const queue of [synchronizer.queue, synchronizer.deadLetterQueue]) {
      template.hasResourceProperties("AWS::SQS::QueuePolicy", {
        Queues: [{ Ref: id(queue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
          ]),
        },
      });
    }
  });

  it("raises an alarm as soon as one message is visible in the dead-letter queue", () => {
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Namespace: "AWS/SQS",
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [
        { Name: "QueueName", Value: { "Fn::GetAtt": [id(synchronizer.deadLetterQueue), "QueueName"] } },
      ],
      Statistic: "Maximum",
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
    });
  });
});

describe("SegmentationSynchronizer: the inventory table", () => {
  it("is on demand, with point-in-time recovery, KMS encryption and the store's keys; it outlives the stack", () => {
    template.hasResource("AWS::DynamoDB::Table", {
      Properties: {
        BillingMode: "PAY_PER_REQUEST",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        // SSEEnabled without a key: the AWS managed key aws/dynamodb.
        SSESpecification: { SSEEnabled: true },
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: "HASH" },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: "RANGE" },
        ],
      },
      DeletionPolicy: "Retain",
    });
  });
});

describe("SegmentationSynchronizer: the functions", () => {
  it("are one per configured cloud and the reconciler, on Node.js 24 (arm64), each with its own log group", () => {
    template.resourceCountIs("AWS::Lambda::Function", 5); // + the deploy-sync custom resource's provider
    for (const name of ["aws-events", "azure-events", "gcp-events", "reconciler"] as const) {
      const fn = synchronizer.functions[name];
      expect(fn, name).toBeDefined();
      expect(functionProps(name)).toMatchObject({
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        Handler: "index.handler",
        LoggingConfig: { LogGroup: { Ref: id(fn?.logGroup ?? fn?.function ?? synchronizer) } },
      });
      expect(functionProps(name).Environment.Variables).toMatchObject(commonEnvironment(name));
    }
  });

  it("runs one reconciler at a time, fed by the queue in batches of 10 with partial batch failures", () => {
    expect(functionProps("reconciler").ReservedConcurrentExecutions).toBe(1);
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionName: { Ref: id(synchronizer.functions.reconciler?.function ?? synchronizer) },
      EventSourceArn: { "Fn::GetAtt": [id(synchronizer.queue), "Arn"] },
      BatchSize: 10,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    template.resourceCountIs("AWS::Lambda::EventSourceMapping", 1);
  });

  it("gives the reconciler the configuration, the bundled policy file and the table", () => {
    const variables = functionProps("reconciler").Environment.Variables;
    expect(LiveConfigSchema.parse(JSON.parse(variables.SEGSYNC_CONFIG))).toEqual(
      synchronizer.settings.config,
    );
    expect(variables.SEGSYNC_POLICY_FILE).toBe("policy.yaml");
    expect(variables.SEGSYNC_TABLE).toEqual({ Ref: id(synchronizer.table) });
    expect(variables.SEGSYNC_ATTACHMENT).toBeUndefined();
  });

  it("gives the ingest functions the queue and their webhook authentication", () => {
    const queueUrl = { Ref: id(synchronizer.queue) };
    expect(functionProps("aws-events").Environment.Variables.SEGSYNC_QUEUE_URL).toEqual(queueUrl);
    expect(functionProps("azure-events").Environment.Variables).toMatchObject({
      SEGSYNC_QUEUE_URL: queueUrl,
      SEGSYNC_EVENTGRID_AUTH: JSON.stringify(SAMPLE_PROPS.eventGridAuth),
      SEGSYNC_AZURE_SUBSCRIPTIONS: JSON.stringify(["8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f"]),
    });
    expect(functionProps("gcp-events").Environment.Variables).toMatchObject({
      SEGSYNC_QUEUE_URL: queueUrl,
      SEGSYNC_PUBSUB_AUDIENCE: SAMPLE_PROPS.pubSubAudience,
      SEGSYNC_PUBSUB_EMAIL: SAMPLE_PROPS.pubSubServiceAccountEmail,
    });
  });

  it("exposes the Azure and GCP ingest functions as Function URLs without IAM auth (they verify tokens)", () => {
    template.resourceCountIs("AWS::Lambda::Url", 2);
    for (const name of ["azure-events", "gcp-events"] as const) {
      template.hasResourceProperties("AWS::Lambda::Url", {
        AuthType: "NONE",
        TargetFunctionArn: {
          "Fn::GetAtt": [id(synchronizer.functions[name]?.function ?? synchronizer), "Arn"],
        },
      });
    }
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const urls = Object.entries(outputs).filter(([key]) => /EventsUrl/.test(key));
    expect(urls.map(([key]) => key.replace(/[0-9A-F]{8}$/, "")).sort()).toEqual([
      "SegsyncAzureEventsUrl",
      "SegsyncGcpEventsUrl",
    ]);
  });

  it("deploys only the ingest functions of the configured clouds", () => {
    const awsOnly = synthesize({
      policyFile: SAMPLE_PROPS.policyFile,
      aws: { accounts: [{ account: "111111111111", regions: ["us-east-1"] }] },
    });
    expect(Object.keys(awsOnly.synchronizer.functions).sort()).toEqual(["aws-events", "reconciler"]);
    awsOnly.template.resourceCountIs("AWS::Lambda::Url", 0);
    expect(awsOnly.synchronizer.azureEventsUrl).toBeUndefined();
  });
});

describe("SegmentationSynchronizer: events", () => {
  it("routes EC2 state changes and instance tag changes on the default bus to aws-events", () => {
    const target = {
      Arn: { "Fn::GetAtt": [id(synchronizer.functions["aws-events"]?.function ?? synchronizer), "Arn"] },
    };
    template.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: { source: ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"] },
      EventBusName: Match.absent(),
      Targets: [Match.objectLike(target)],
    });
    template.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: {
        source: ["aws.tag"],
        "detail-type": ["Tag Change on Resource"],
        detail: { service: ["ec2"], "resource-type": ["instance"] },
      },
      EventBusName: Match.absent(),
      Targets: [Match.objectLike(target)],
    });
  });

  it("keeps the EC2 events that fail on the way to the queue in a dead-letter queue, with an alarm", () => {
    const deadLetters = synchronizer.eventsDeadLetterQueue;
    if (deadLetters === undefined) throw new Error("no events dead-letter queue");
    const arn = { "Fn::GetAtt": [id(deadLetters), "Arn"] };
    // EventBridge could not invoke aws-events: retried, then kept.
    const rules = template.findResources("AWS::Events::Rule", {
      Properties: {
        EventPattern: { source: Match.arrayWith([Match.stringLikeRegexp("^aws\\.(ec2|tag)$")]) },
      },
    });
    expect(Object.keys(rules)).toHaveLength(2);
    for (const rule of Object.values(rules)) {
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          DeadLetterConfig: { Arn: arn },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        }),
      ]);
    }
    // aws-events failed on an event (malformed, queue unreachable): Lambda retries twice, then keeps it.
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: { Ref: id(synchronizer.functions["aws-events"]?.function ?? stack) },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: arn } },
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [id(deadLetters), "QueueName"] } }],
    });
  });

  it("lets the other configured accounts (not this one) put EC2 and tag events on the default bus", () => {
    const policies = Object.values(template.findResources("AWS::Events::EventBusPolicy"));
    expect(policies).toHaveLength(1);
    const statement = policies[0]?.Properties.Statement;
    expect(statement.Action).toBe("events:PutEvents");
    expect(statement.Principal.AWS.map(flat)).toEqual(["arn:<AWS::Partition>:iam::222222222222:root"]);
    expect(flat(statement.Resource)).toBe(
      "arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:event-bus/default",
    );
    expect(statement.Condition).toEqual({ StringEquals: { "events:source": ["aws.ec2", "aws.tag"] } });
  });

  it("has no bus policy when the only account is this one", () => {
    const single = synthesize({
      ...SAMPLE_PROPS,
      aws: { accounts: [{ account: "111111111111", regions: ["us-east-1", "eu-west-1"] }] },
    });
    single.template.resourceCountIs("AWS::Events::EventBusPolicy", 0);
  });

  it("schedules a full sync every 6 hours: a full-sync message in the queue's message group", () => {
    const schedules = template.findResources("AWS::Events::Rule", {
      Properties: { ScheduleExpression: Match.anyValue() },
    });
    const [rule] = Object.values(schedules);
    expect(rule?.Properties.ScheduleExpression).toBe("rate(6 hours)");
    const [queueTarget] = rule?.Properties.Targets ?? [];
    expect(queueTarget.Arn).toEqual({ "Fn::GetAtt": [id(synchronizer.queue), "Arn"] });
    expect(queueTarget.SqsParameters).toEqual({ MessageGroupId: QUEUE_MESSAGE_GROUP });
    const message = JSON.parse(queueTarget.Input);
    expect(message).toEqual({ kind: "full-sync", reason: "schedule" });
    expect(QueueMessageSchema.parse(message)).toEqual(message);
  });

  it("takes another schedule", () => {
    const hourly = synthesize({ ...SAMPLE_PROPS, fullSyncSchedule: Schedule.rate(Duration.hours(1)) });
    hourly.template.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(1 hour)" });
  });
});

describe("SegmentationSynchronizer: a deploy that changes the policy", () => {
  function deploySync(synthesized: typeof sample) {
    const [resource] = Object.values(synthesized.template.findResources("Custom::AWS"));
    const call = JSON.parse(flat(resource?.Properties.Update));
    return { resource, call };
  }

  it("sends a full-sync message once the reconciler and its event source are in place", () => {
    const { resource, call } = deploySync(sample);
    expect(call).toMatchObject({ service: "SQS", action: "SendMessage" });
    expect(call.parameters.QueueUrl).toBe(`<${id(synchronizer.queue)}>`);
    expect(call.parameters.MessageGroupId).toBe(QUEUE_MESSAGE_GROUP);
    expect(QueueMessageSchema.parse(JSON.parse(call.parameters.MessageBody)).kind).toBe("full-sync");
    expect(JSON.parse(flat(resource?.Properties.Create))).toEqual(call);
    const reconciler = synchronizer.functions.reconciler?.function;
    expect(resource?.DependsOn).toEqual(
      expect.arrayContaining([
        id(reconciler ?? synchronizer),
        expect.stringMatching(/^SegsyncReconcilerSqsEventSource/),
      ]),
    );
  });

  it("keeps its properties for the same policy and changes them (a new message) for another", () => {
    const directory = mkdtempSync(join(tmpdir(), "segsync-infra-"));
    try {
      const changedPolicy = join(directory, "policy.yaml");
      const text = readFileSync(SAMPLE_PROPS.policyFile, "utf8");
      writeFileSync(changedPolicy, text.replace("services: [tcp/8080]", "services: [tcp/8081]"));
      const first = deploySync(sample).call;
      const again = deploySync(synthesize()).call;
      const changed = deploySync(synthesize({ ...SAMPLE_PROPS, policyFile: changedPolicy })).call;
      const additive = deploySync(synthesize({ ...SAMPLE_PROPS, attachment: "additive" })).call;
      expect(again).toEqual(first);
      expect(first.parameters.MessageDeduplicationId).toBe(`deploy-${synchronizer.settings.fingerprint}`);
      for (const other of [changed, additive]) {
        expect(other.parameters.MessageDeduplicationId).not.toBe(first.parameters.MessageDeduplicationId);
        expect(other.physicalResourceId).not.toEqual(first.physicalResourceId);
        expect(other.parameters.MessageBody).not.toBe(first.parameters.MessageBody);
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
