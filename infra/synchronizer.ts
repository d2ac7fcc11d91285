/**
 * SegmentationSynchronizer: the serverless pipeline (docs/architecture.md,
 * "The serverless pipeline"). EventBridge (EC2 state and tag changes), Event Grid and Pub/Sub push
 * (Function URLs) feed ingest functions that enqueue on one SQS FIFO group; a single reconciler
 * (reserved concurrency 1) drains it against the clouds and a DynamoDB inventory; a schedule and
 * every deploy that changes the policy enqueue a full sync.
 */
import { Annotations, Aws, CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { AttributeType, BillingMode, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { CfnEventBusPolicy, Rule, RuleTargetInput, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction, SqsQueue } from "aws-cdk-lib/aws-events-targets";
import { AnyPrincipal, Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { FunctionUrlAuthType, type IFunction } from "aws-cdk-lib/aws-lambda";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { MAX_RECEIVE_COUNT, QUEUE_MESSAGE_GROUP, SCHEDULED_FULL_SYNC } from "../lib/ingest/queue-message.js";
import type { FunctionName } from "./bundling.js";
import { DeploySync } from "./deploy-sync.js";
import { functionEnvironment, ingestFunctions } from "./environments.js";
import { placePattern } from "./event-places.js";
import { type PipelineFunction, pipelineFunction } from "./functions.js";
import { SegsyncGuardrails } from "./guardrails.js";
import { acknowledgeReconcilerWildcards, acknowledgeRecordKeyRotation } from "./nag.js";
import {
  assumeRoleStatement,
  ec2Statements,
  localEc2Scope,
  reconcilerSecrets,
  secretResource,
  TABLE_ITEM_ACTIONS,
  webIdentityTokenStatement,
} from "./permissions.js";
import type { SegmentationSynchronizerProps } from "./props.js";
import { resolveSettings, type Settings, SynchronizerConfigError } from "./settings.js";

export type * from "./props.js";
export { SynchronizerConfigError } from "./settings.js";

/** The reconciler's time budget per batch; the queue hides a message three times as long. */
const RECONCILER_TIMEOUT = Duration.minutes(5);
const QUEUE_VISIBILITY = Duration.minutes(15);
const DEFAULT_SCHEDULE = Schedule.rate(Duration.hours(6));
/** The inventory table's keys (the DynamoDB InventoryStore's single-table layout). */
export const TABLE_KEYS = { partitionKey: "pk", sortKey: "sk" } as const;

export class SegmentationSynchronizer extends Construct {
  /** The checked settings the functions were configured with. */
  readonly settings: Settings;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  /** In alarm while any message sits in the dead-letter queue; add your own actions to it. */
  readonly deadLetterAlarm: Alarm;
  /** Raised when the blast-radius guard holds a place's narrowing operations back (docs/trust-model.md). */
  readonly guardHeldAlarm: Alarm;
  /**
   * EC2 events that never reached the queue: EventBridge could not invoke aws-events, or
   * aws-events failed on them after Lambda's retries (a malformed event, the queue unreachable).
   * With `aws`; the next full sync repairs what they would have changed.
   */
  readonly eventsDeadLetterQueue: Queue | undefined;
  /** In alarm while any event sits in eventsDeadLetterQueue. */
  readonly eventsDeadLetterAlarm: Alarm | undefined;
  readonly table: Table;
  /** The record key's secret: generated, or the `recordKeySecret` prop. */
  readonly recordKeySecret: ISecret;
  readonly functions: Readonly<Partial<Record<FunctionName, PipelineFunction>>>;
  /** The Event Grid webhook endpoint, with `azure`. */
  readonly azureEventsUrl: string | undefined;
  /** The Pub/Sub push endpoint, with `gcp`. */
  readonly gcpEventsUrl: string | undefined;
  /** The guardrail documents, with `guardrails`. */
  readonly guardrails: SegsyncGuardrails | undefined;

  constructor(scope: Construct, id: string, props: SegmentationSynchronizerProps) {
    super(scope, id);
    // Throws with every issue of the policy and the configuration: a bad one fails `cdk synth`.
    this.settings = resolveSettings(props);
    const settings = this.settings;
    this.checkLocalAccount();

    // The order below is the order the resources appear in the template: keep it.
    this.deadLetterQueue = this.createDeadLetterQueue();
    this.queue = this.createQueue(this.deadLetterQueue);
    this.deadLetterAlarm = this.nonEmptyAlarm(
      "DeadLetterAlarm",
      this.deadLetterQueue,
      "segsync: a queue message failed the reconciler repeatedly; read its body, fix the cause, redrive it",
    );
    this.guardHeldAlarm = this.createGuardHeldAlarm();
    this.table = this.createTable(props);
    this.recordKeySecret = props.recordKeySecret ?? this.generateRecordKey(props);

    const { functions, reconciler } = this.createFunctions(settings);
    this.functions = functions;
    this.grantReconciler(reconciler, props);
    this.guardrails =
      props.guardrails === undefined
        ? undefined
        : new SegsyncGuardrails(this, "Guardrails", {
            reconcilerRole: reconciler.role,
            policy: settings.policy,
            config: settings.config,
            settings: props.guardrails,
          });
    this.grantIngest(functions);

    const awsEvents = functions["aws-events"]?.function;
    this.eventsDeadLetterQueue = awsEvents === undefined ? undefined : this.routeEc2Events(awsEvents);
    this.eventsDeadLetterAlarm =
      this.eventsDeadLetterQueue === undefined
        ? undefined
        : this.nonEmptyAlarm(
            "EventsDeadLetterAlarm",
            this.eventsDeadLetterQueue,
            "segsync: an EC2 event did not reach the queue; the next full sync repairs it, but read why",
          );
    this.azureEventsUrl = this.functionUrl(functions["azure-events"], "AzureEventsUrl", "Event Grid webhook");
    this.gcpEventsUrl = this.functionUrl(functions["gcp-events"], "GcpEventsUrl", "Pub/Sub push endpoint");

    this.scheduleSyncs(props, functions, reconciler);
    this.createOutputs(reconciler);
  }

  private createDeadLetterQueue(): Queue {
    return new Queue(this, "DeadLetterQueue", {
      fifo: true,
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
  }

  private createQueue(deadLetterQueue: Queue): Queue {
    return new Queue(this, "Queue", {
      fifo: true,
      // The producers set deduplication ids from the native events' ids (lib/ingest/queue-message.ts).
      contentBasedDeduplication: false,
      deduplicationScope: DeduplicationScope.QUEUE,
      fifoThroughputLimit: FifoThroughputLimit.PER_QUEUE,
      visibilityTimeout: QUEUE_VISIBILITY,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
  }

  private createGuardHeldAlarm(): Alarm {
    return this.atLeastOnceAlarm(
      "GuardHeldAlarm",
      new Metric({
        namespace: "segsync",
        metricName: "GuardTrips",
        dimensionsMap: { service: "segsync-reconciler" },
        period: Duration.minutes(5),
        statistic: "Maximum",
      }),
      "segsync: the blast-radius guard held back narrowing operations that no confirmed workload change explains; read the reconciler's log, then fix the cause or run segsync apply --live --override",
    );
  }

  private createTable(props: SegmentationSynchronizerProps): Table {
    return new Table(this, "Inventory", {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...(props.tableEncryptionKey === undefined
        ? { encryption: TableEncryption.AWS_MANAGED }
        : { encryption: TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.tableEncryptionKey }),
      // A full sync can rebuild it, but deleting the stack should not silently take data with it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** The ingest functions the settings call for, then the reconciler (it is in `functions` too). */
  private createFunctions(settings: Settings): {
    functions: Partial<Record<FunctionName, PipelineFunction>>;
    reconciler: PipelineFunction;
  } {
    const names = {
      queueUrl: this.queue.queueUrl,
      tableName: this.table.tableName,
      recordKeySecretArn: this.recordKeySecret.secretFullArn ?? this.recordKeySecret.secretArn,
    };
    const functions: Partial<Record<FunctionName, PipelineFunction>> = {};
    for (const name of ingestFunctions(settings)) {
      functions[name] = this.createFunction(name, functionEnvironment(name, settings, names));
    }
    const reconciler = this.createFunction("reconciler", functionEnvironment("reconciler", settings, names));
    functions.reconciler = reconciler;
    return { functions, reconciler };
  }

  /** The periodic full sync and the one after each deploy; nothing else may send to the queue. */
  private scheduleSyncs(
    props: SegmentationSynchronizerProps,
    functions: Partial<Record<FunctionName, PipelineFunction>>,
    reconciler: PipelineFunction,
  ): void {
    const schedule = new Rule(this, "FullSyncSchedule", {
      description: "segsync: periodic full sync, repairs drift and missed events",
      schedule: props.fullSyncSchedule ?? DEFAULT_SCHEDULE,
      targets: [
        new SqsQueue(this.queue, {
          message: RuleTargetInput.fromObject(SCHEDULED_FULL_SYNC),
          messageGroupId: QUEUE_MESSAGE_GROUP,
        }),
      ],
    });
    const deploySync = new DeploySync(this, "DeploySync", {
      queue: this.queue,
      fingerprint: this.settings.fingerprint,
      after: [reconciler.function, reconciler.role],
    });
    this.denyOtherSenders(schedule, [
      ...ingestFunctions(this.settings).flatMap((name) => functions[name]?.role.roleArn ?? []),
      deploySync.role.roleArn,
      ...this.settings.queueSenders,
    ]);
  }

  private createOutputs(reconciler: PipelineFunction): void {
    new CfnOutput(this, "QueueUrl", { value: this.queue.queueUrl });
    new CfnOutput(this, "TableName", { value: this.table.tableName });
    new CfnOutput(this, "ReconcilerRoleArn", {
      value: reconciler.role.roleArn,
      description:
        "segsync: what the roles in the other accounts (roleArn) and the Azure/GCP federations trust",
    });
  }

  /** An account without roleArn is reached with the reconciler's own role: it must be this one. */
  private checkLocalAccount(): void {
    const local = localEc2Scope(this.settings.config);
    if (local !== undefined && local.vpcs === undefined) {
      Annotations.of(this).addWarningV2(
        "segsync:unscopedVpcs",
        `aws.accounts: ${local.account} lists no vpcs, so the reconciler may set the groups of any ENI and create groups in any VPC of its configured regions; list the VPCs segsync manages to scope it (docs/iam.md)`,
      );
    }
    const stackAccount = Stack.of(this).account;
    if (local === undefined || Token.isUnresolved(stackAccount) || stackAccount === local.account) return;
    throw new SynchronizerConfigError("segsync: the SegmentationSynchronizer configuration is not valid", [
      `aws.accounts: ${local.account} has no roleArn, so the reconciler's own role acts there, but the stack is deployed in ${stackAccount}`,
    ]);
  }

  private createFunction(name: FunctionName, environment: Record<string, string>): PipelineFunction {
    const id = name.replace(/(^|-)([a-z])/g, (_match, _dash, letter: string) => letter.toUpperCase());
    if (name === "reconciler") {
      return pipelineFunction(this, id, {
        name,
        description: "segsync reconciler: the single writer to the clouds",
        environment,
        memorySize: 1024,
        timeout: RECONCILER_TIMEOUT,
        reservedConcurrentExecutions: 1,
        extraFiles: { [this.settings.policy.bundleName]: this.settings.policy.text },
      });
    }
    return pipelineFunction(this, id, {
      name,
      description: `segsync ${name}: authenticates, parses and enqueues native events`,
      environment,
      memorySize: 256,
      timeout: Duration.seconds(10),
      reservedConcurrentExecutions: this.settings.ingestConcurrency,
    });
  }

  private grantReconciler(reconciler: PipelineFunction, props: SegmentationSynchronizerProps): void {
    const config = this.settings.config;
    const statements: PolicyStatement[] = [];
    const local = localEc2Scope(config);
    if (local !== undefined) statements.push(...ec2Statements(local));
    const assume = assumeRoleStatement(config);
    if (assume !== undefined) statements.push(assume);
    const token = webIdentityTokenStatement(config);
    if (token !== undefined) statements.push(token);
    // The non-EC2 statements name their one resource each; there is no ownership to condition on
    // (docs/iam.md): the configured credential secrets, the record key, the table.
    const secrets = reconcilerSecrets(config);
    if (secrets.length > 0) {
      statements.push(
        new PolicyStatement({
          sid: "CloudCredentials",
          actions: ["secretsmanager:GetSecretValue"],
          resources: secrets,
        }),
      );
    }
    statements.push(
      new PolicyStatement({
        sid: "RecordKey",
        actions: ["secretsmanager:GetSecretValue"],
        resources: [this.recordKeySecret.secretFullArn ?? secretResource(this.recordKeySecret.secretArn)],
      }),
      new PolicyStatement({
        sid: "Inventory",
        actions: [...TABLE_ITEM_ACTIONS],
        resources: [this.table.tableArn],
      }),
    );
    for (const statement of statements) reconciler.role.addToPrincipalPolicy(statement);
    acknowledgeReconcilerWildcards(reconciler.role, local, local !== undefined || token !== undefined);
    // Named actions instead of grantEncryptDecrypt's kms:ReEncrypt* and kms:GenerateDataKey*.
    props.tableEncryptionKey?.grant(
      reconciler.role,
      "kms:Decrypt",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:DescribeKey",
    );
    // A team's own secret under its own key; the generated one shares the table key granted above.
    if (props.recordKeySecret?.encryptionKey !== undefined) {
      props.recordKeySecret.encryptionKey.grant(reconciler.role, "kms:Decrypt");
    }
    reconciler.function.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }),
    );
  }

  private grantIngest(functions: Partial<Record<FunctionName, PipelineFunction>>): void {
    for (const name of ["aws-events", "azure-events", "gcp-events"] as const) {
      const ingest = functions[name];
      if (ingest === undefined) continue;
      // Only SendMessage: not even GetQueueAttributes, which grantSendMessages adds. On the queue
      // alone: nothing of the clouds to condition on (docs/iam.md).
      ingest.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: "Enqueue",
          actions: ["sqs:SendMessage"],
          resources: [this.queue.queueArn],
        }),
      );
    }
    const auth = this.settings.eventGridAuth;
    if (auth?.mode === "secret" && functions["azure-events"] !== undefined) {
      functions["azure-events"].role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: "EventGridSecret",
          actions: ["secretsmanager:GetSecretValue"],
          resources: [secretResource(auth.secretArn)],
        }),
      );
    }
  }

  /** The record key: letters and digits, kept when the stack goes (seals made under it outlive it). */
  private generateRecordKey(props: SegmentationSynchronizerProps): Secret {
    const secret = new Secret(this, "RecordKey", {
      description: "segsync record key: seals what segsync owns and records for restore",
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      ...(props.tableEncryptionKey === undefined ? {} : { encryptionKey: props.tableEncryptionKey }),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeRecordKeyRotation(secret);
    return secret;
  }

  /**
   * Only the pipeline's producers may send: the given roles, and EventBridge for the schedule
   * rule alone. Two denies, because a role's call carries aws:PrincipalArn and EventBridge's
   * carries aws:PrincipalServiceName and aws:SourceArn instead.
   */
  private denyOtherSenders(schedule: Rule, senders: readonly string[]): void {
    this.queue.addToResourcePolicy(
      new PolicyStatement({
        sid: "OnlySegsyncProducers",
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ["sqs:SendMessage"],
        resources: [this.queue.queueArn],
        conditions: {
          ArnNotEquals: { "aws:PrincipalArn": [...senders] },
          Null: { "aws:PrincipalServiceName": "true" },
        },
      }),
    );
    this.queue.addToResourcePolicy(
      new PolicyStatement({
        sid: "OnlyTheScheduleRule",
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ["sqs:SendMessage"],
        resources: [this.queue.queueArn],
        conditions: {
          ArnNotEquals: { "aws:SourceArn": schedule.ruleArn },
          Null: { "aws:PrincipalServiceName": "false" },
        },
      }),
    );
  }

  private nonEmptyAlarm(id: string, queue: Queue, description: string): Alarm {
    return this.atLeastOnceAlarm(
      id,
      queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: "Maximum" }),
      description,
    );
  }

  /** An alarm raised when the metric reaches 1 in a five-minute period; no data is no alarm. */
  private atLeastOnceAlarm(id: string, metric: Metric, description: string): Alarm {
    return new Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }

  /** The two EC2 rules into aws-events; returns where the events that fail on the way go. */
  private routeEc2Events(target: IFunction): Queue {
    const deadLetters = new Queue(this, "EventsDeadLetterQueue", {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(deadLetters).acknowledge({
      id: "AwsSolutions-SQS3",
      reason:
        "it is a dead-letter queue itself: of the EC2 rules' targets and of aws-events' failed async invocations, which cdk-nag does not recognise as DLQ uses",
    });
    // EventBridge invokes aws-events asynchronously: Lambda retries a failed event twice, then
    // sends it here rather than dropping it.
    target.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(deadLetters) });
    // Only events of the configured accounts and regions, this account's and forwarded ones.
    const places = placePattern(this.settings.config.aws?.accounts ?? []);
    const toFunction = new LambdaFunction(target, {
      deadLetterQueue: deadLetters,
      retryAttempts: 8,
      maxEventAge: Duration.hours(2),
    });
    new Rule(this, "Ec2StateChange", {
      description: "segsync: EC2 instance state changes, this account's and forwarded ones",
      eventPattern: {
        source: ["aws.ec2"],
        detailType: ["EC2 Instance State-change Notification"],
        ...places,
      },
      targets: [toFunction],
    });
    new Rule(this, "Ec2TagChange", {
      description: "segsync: EC2 instance tag changes, this account's and forwarded ones",
      eventPattern: {
        source: ["aws.tag"],
        detailType: ["Tag Change on Resource"],
        detail: { service: ["ec2"], "resource-type": ["instance"] },
        ...places,
      },
      targets: [toFunction],
    });
    const stackAccount = Stack.of(this).account;
    const others = [
      ...new Set((this.settings.config.aws?.accounts ?? []).map((entry) => entry.account)),
    ].filter((account) => Token.isUnresolved(stackAccount) || account !== stackAccount);
    if (others.length === 0) return deadLetters;
    // The other accounts forward their EC2 events to this default bus (a rule per account and
    // region, README); they may put those two sources and nothing else.
    new CfnEventBusPolicy(this, "ForwardedEvents", {
      statementId: `segsync-forwarded-${this.node.addr.slice(0, 8)}`,
      statement: {
        Effect: "Allow",
        Principal: { AWS: others.map((account) => `arn:${Aws.PARTITION}:iam::${account}:root`) },
        Action: "events:PutEvents",
        Resource: `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:event-bus/default`,
        Condition: { StringEquals: { "events:source": ["aws.ec2", "aws.tag"] } },
      },
    });
    return deadLetters;
  }

  private functionUrl(
    fn: PipelineFunction | undefined,
    outputId: string,
    purpose: string,
  ): string | undefined {
    if (fn === undefined) return undefined;
    // NONE: Event Grid and Pub/Sub cannot sign AWS requests; the functions verify their tokens.
    const url = fn.function.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });
    new CfnOutput(this, outputId, { value: url.url, description: `segsync ${purpose}` });
    return url.url;
  }
}
