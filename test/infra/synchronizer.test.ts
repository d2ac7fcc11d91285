import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Duration } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import { Schedule } from "aws-cdk-lib/aws-events";
import { type CfnKey, Key } from "aws-cdk-lib/aws-kms";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { describe, expect, it } from "vitest";
import type { DeploySync } from "../../infra/deploy-sync.js";
import { commonEnvironment } from "../../infra/environments.js";
import { SAMPLE_PROPS } from "../../infra/sample.js";
import { DEFAULT_INGEST_CONCURRENCY } from "../../infra/settings.js";
import { TABLE_KEYS } from "../../infra/synchronizer.js";
import { QUEUE_MESSAGE_GROUP, QueueMessageSchema } from "../../lib/ingest/queue-message.js";
import { LiveConfigSchema } from "../../lib/live/config.js";
import { flat, logicalId, synthesize } from "./stack.js";

const sample = synthesize();
const { template, stack, synchronizer } = sample;
const id = (element: { node: { defaultChild?: unknown } }) => logicalId(element, stack);
const DEPLOYED_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:111111111111:secret:SegsyncRecordKey-AbCdEf";
/** The sample's accounts have different regions: one branch each. */
const SAMPLE_PLACES = [
  { account: ["111111111111"], region: ["us-east-1"] },
  { account: ["222222222222"], region: ["us-west-2"] },
];

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

describe("SegmentationSynchronizer: the record key", () => {
  it("is a generated secret of 64 letters and digits, kept when the stack is deleted", () => {
    template.resourceCountIs("AWS::SecretsManager::Secret", 1);
    template.hasResource("AWS::SecretsManager::Secret", {
      Properties: {
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
        KmsKeyId: Match.absent(),
      },
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
    });
  });

  it("is encrypted with the table's customer managed key when there is one", () => {
    let keyId = "";
    const keyed = synthesize((keyStack) => {
      const key = new Key(keyStack, "TableKey", { enableKeyRotation: true });
      keyId = keyStack.getLogicalId(key.node.defaultChild as CfnKey);
      return { ...SAMPLE_PROPS, tableEncryptionKey: key };
    });
    keyed.template.hasResourceProperties("AWS::SecretsManager::Secret", {
      KmsKeyId: { "Fn::GetAtt": [keyId, "Arn"] },
    });
  });

  it("is the team's own secret when given: none is created, the configuration names it", () => {
    const secretArn = "arn:aws:secretsmanager:us-east-1:111111111111:secret:team/segsync-key-AbCdEf";
    const own = synthesize((ownStack) => ({
      ...SAMPLE_PROPS,
      recordKeySecret: Secret.fromSecretCompleteArn(ownStack, "TeamSecret", secretArn),
    }));
    own.template.resourceCountIs("AWS::SecretsManager::Secret", 0);
    const fn = own.synchronizer.functions.reconciler?.function;
    const variables =
      own.template.toJSON().Resources[logicalId(fn ?? own.synchronizer, own.stack)].Properties.Environment
        .Variables;
    expect(LiveConfigSchema.parse(JSON.parse(variables.SEGSYNC_CONFIG)).recordKey).toEqual({
      kind: "secret",
      secretArn,
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

  it("gives the reconciler the configuration with its record key, the bundled policy file, the table and its queue", () => {
    const variables = functionProps("reconciler").Environment.Variables;
    // The secret's ARN is resolved into the JSON at deploy: here it shows as <LogicalId>.
    const secretId = id(synchronizer.recordKeySecret as Secret);
    const { recordKey, ...config } = JSON.parse(flat(variables.SEGSYNC_CONFIG));
    expect(recordKey).toEqual({ kind: "secret", secretArn: `<${secretId}>` });
    expect(LiveConfigSchema.parse(config)).toEqual(synchronizer.settings.config);
    const deployed = flat(variables.SEGSYNC_CONFIG).replace(`<${secretId}>`, DEPLOYED_SECRET_ARN);
    expect(LiveConfigSchema.parse(JSON.parse(deployed)).recordKey).toEqual({
      kind: "secret",
      secretArn: DEPLOYED_SECRET_ARN,
    });
    expect(variables.SEGSYNC_POLICY_FILE).toBe("policy.yaml");
    expect(variables.SEGSYNC_TABLE).toEqual({ Ref: id(synchronizer.table) });
    // Its depth tells a burst (docs/architecture.md, "Coalescing a burst").
    expect(variables.SEGSYNC_QUEUE_URL).toEqual({ Ref: id(synchronizer.queue) });
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

  it("tells the ingest functions which places they may enqueue events of, and nothing of how they are reached", () => {
    const aws = JSON.parse(functionProps("aws-events").Environment.Variables.SEGSYNC_AWS_ACCOUNTS);
    expect(aws).toEqual([
      { account: "111111111111", regions: ["us-east-1"] },
      { account: "222222222222", regions: ["us-west-2"] },
    ]);
    expect(JSON.parse(functionProps("gcp-events").Environment.Variables.SEGSYNC_GCP_PROJECTS)).toEqual([
      "shop-prod",
    ]);
    // Shared VPC: events of other projects are let through, for the reconciler to confirm their host.
    expect(functionProps("gcp-events").Environment.Variables.SEGSYNC_GCP_FIND_SERVICE_PROJECTS).toBe("true");
    expect(functionProps("azure-events").Environment.Variables.SEGSYNC_AWS_ACCOUNTS).toBeUndefined();
    expect(functionProps("aws-events").Environment.Variables.SEGSYNC_GCP_PROJECTS).toBeUndefined();
  });

  it("caps each ingest function's concurrency: 10 by default, or the prop", () => {
    for (const name of ["aws-events", "azure-events", "gcp-events"] as const) {
      expect(functionProps(name).ReservedConcurrentExecutions, name).toBe(DEFAULT_INGEST_CONCURRENCY);
    }
    expect(DEFAULT_INGEST_CONCURRENCY).toBe(10);
    const three = synthesize({ ...SAMPLE_PROPS, ingestConcurrency: 3 });
    const concurrency = Object.values(three.template.findResources("AWS::Lambda::Function"))
      .filter((fn) => String(fn.Properties.Description ?? "").endsWith("enqueues native events"))
      .map((fn) => fn.Properties.ReservedConcurrentExecutions);
    expect(concurrency).toEqual([3, 3, 3]);
    const reconciler = three.synchronizer.functions.reconciler?.function;
    expect(
      three.template.toJSON().Resources[logicalId(reconciler ?? three.synchronizer, three.stack)].Properties,
    ).toMatchObject({ ReservedConcurrentExecutions: 1 });
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
      EventPattern: {
        source: ["aws.ec2"],
        "detail-type": ["EC2 Instance State-change Notification"],
        $or: SAMPLE_PLACES,
      },
      EventBusName: Match.absent(),
      Targets: [Match.objectLike(target)],
    });
    template.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: {
        source: ["aws.tag"],
        "detail-type": ["Tag Change on Resource"],
        detail: { service: ["ec2"], "resource-type": ["instance"] },
        $or: SAMPLE_PLACES,
      },
      EventBusName: Match.absent(),
      Targets: [Match.objectLike(target)],
    });
  });

  it("matches only the configured accounts in their own regions", () => {
    const rules = (synthesized: typeof sample) =>
      Object.values(
        synthesized.template.findResources("AWS::Events::Rule", {
          Properties: {
            EventPattern: { source: Match.arrayWith([Match.stringLikeRegexp("^aws\\.(ec2|tag)$")]) },
          },
        }),
      ).map((rule) => rule.Properties.EventPattern);
    // One account, or accounts sharing their regions: plain lists.
    const shared = synthesize({
      ...SAMPLE_PROPS,
      aws: {
        accounts: [
          { account: "111111111111", regions: ["us-east-1", "eu-west-1"] },
          {
            account: "222222222222",
            regions: ["eu-west-1", "us-east-1"],
            roleArn: "arn:aws:iam::222222222222:role/s",
          },
        ],
      },
    });
    for (const pattern of rules(shared)) {
      expect(pattern.account).toEqual(["111111111111", "222222222222"]);
      expect(pattern.region).toEqual(["eu-west-1", "us-east-1"]);
      expect(pattern.$or).toBeUndefined();
    }
    // Different regions: one branch per region set, so 222… does not match in us-east-1.
    for (const pattern of rules(sample)) {
      expect(pattern.$or).toEqual(SAMPLE_PLACES);
      expect(pattern.account).toBeUndefined();
    }
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

/**
 * The queue policy's Deny statements evaluated as IAM does for the two operators they use (a
 * negated operator holds when the key is missing): whether a SendMessage with this context is denied.
 */
function sendDenied(
  queuePolicy: { Statement: PolicyStatementJson[] },
  context: Record<string, string>,
): boolean {
  return queuePolicy.Statement.filter(
    (statement) => statement.Effect === "Deny" && [statement.Action].flat().includes("sqs:SendMessage"),
  ).some((statement) =>
    Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
      Object.entries(keys).every(([key, expected]) => {
        const value = context[key];
        if (operator === "Null") return (value === undefined) === (expected === "true");
        if (operator === "ArnNotEquals")
          return value === undefined || ![expected].flat().map(flat).includes(value);
        throw new Error(`operator ${operator} not modelled`);
      }),
    ),
  );
}

interface PolicyStatementJson {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

describe("SegmentationSynchronizer: who may send to the queue", () => {
  function queuePolicyOf(synthesized: typeof sample) {
    const queueId = logicalId(synthesized.synchronizer.queue, synthesized.stack);
    const [policy] = Object.values(
      synthesized.template.findResources("AWS::SQS::QueuePolicy", {
        Properties: { Queues: [{ Ref: queueId }] },
      }),
    );
    return policy?.Properties.PolicyDocument as { Statement: PolicyStatementJson[] };
  }
  const roleArn = (role: { node: { defaultChild?: unknown } }) => `<${id(role)}.Arn>`;
  const scheduleArn = () => {
    const [ruleId] = Object.keys(
      template.findResources("AWS::Events::Rule", { Properties: { ScheduleExpression: Match.anyValue() } }),
    );
    return `<${ruleId}.Arn>`;
  };

  it("the ingest functions' roles, the deploy sync's and the schedule rule; no one else, not even the reconciler", () => {
    const policy = queuePolicyOf(sample);
    for (const name of ["aws-events", "azure-events", "gcp-events"] as const) {
      const role = synchronizer.functions[name]?.role;
      expect(sendDenied(policy, { "aws:PrincipalArn": roleArn(role ?? synchronizer) }), name).toBe(false);
    }
    const deploySync = synchronizer.node.findChild("DeploySync") as DeploySync;
    expect(sendDenied(policy, { "aws:PrincipalArn": roleArn(deploySync.role) })).toBe(false);
    const events = { "aws:PrincipalServiceName": "events.amazonaws.com" };
    expect(sendDenied(policy, { ...events, "aws:SourceArn": scheduleArn() })).toBe(false);

    const reconciler = synchronizer.functions.reconciler?.role;
    expect(sendDenied(policy, { "aws:PrincipalArn": roleArn(reconciler ?? synchronizer) })).toBe(true);
    expect(sendDenied(policy, { "aws:PrincipalArn": "arn:aws:iam::111111111111:role/Admin" })).toBe(true);
    expect(sendDenied(policy, { "aws:PrincipalArn": "arn:aws:iam::111111111111:root" })).toBe(true);
    expect(
      sendDenied(policy, { ...events, "aws:SourceArn": "arn:aws:events:us-east-1:999999999999:rule/x" }),
    ).toBe(true);
    expect(sendDenied(policy, { ...events })).toBe(true);
    expect(sendDenied(policy, { "aws:PrincipalServiceName": "sns.amazonaws.com" })).toBe(true);
  });

  it("the deploy sync sends with its own role, and the schedule is the only rule that targets the queue", () => {
    const deploySync = synchronizer.node.findChild("DeploySync") as DeploySync;
    const providers = Object.values(template.findResources("AWS::Lambda::Function")).filter(
      (fn) =>
        JSON.stringify(fn.Properties.Role) === JSON.stringify({ "Fn::GetAtt": [id(deploySync.role), "Arn"] }),
    );
    expect(providers).toHaveLength(1);
    const queueArn = JSON.stringify({ "Fn::GetAtt": [id(synchronizer.queue), "Arn"] });
    const targeting = Object.entries(template.findResources("AWS::Events::Rule")).filter(([, rule]) =>
      (rule.Properties.Targets as { Arn: unknown }[]).some(
        (target) => JSON.stringify(target.Arn) === queueArn,
      ),
    );
    expect(targeting.map(([ruleId]) => `<${ruleId}.Arn>`)).toEqual([scheduleArn()]);
  });

  it("lets the roles in queueSenders send too (to redrive the dead-letter queue)", () => {
    const operator = "arn:aws:iam::111111111111:role/segsync-operator";
    const policy = queuePolicyOf(synthesize({ ...SAMPLE_PROPS, queueSenders: [operator] }));
    expect(sendDenied(policy, { "aws:PrincipalArn": operator })).toBe(false);
    expect(sendDenied(queuePolicyOf(sample), { "aws:PrincipalArn": operator })).toBe(true);
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
