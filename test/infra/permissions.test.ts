import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Annotations, Match } from "aws-cdk-lib/assertions";
import type { CfnRole } from "aws-cdk-lib/aws-iam";
import { type CfnKey, Key } from "aws-cdk-lib/aws-kms";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { describe, expect, it } from "vitest";
import { type FunctionName, PROJECT_ROOT } from "../../infra/bundling.js";
import {
  EC2_READ_ACTIONS,
  INTERFACE_TAG_KEYS,
  localEc2Scope,
  TABLE_ITEM_ACTIONS,
} from "../../infra/permissions.js";
import { SAMPLE_PROPS } from "../../infra/sample.js";
import {
  IDENTITY_TAG_KEY,
  ORIGINAL_GROUPS_SEAL_TAG_KEY,
  ORIGINAL_GROUPS_TAG_KEY,
  OWNERSHIP_TAG,
  SEAL_TAG_KEY,
} from "../../lib/clouds/aws/ownership-keys.js";
import { LiveConfigSchema } from "../../lib/live/config.js";
import { WEB_IDENTITY_TOKEN_SECONDS } from "../../lib/live/web-identity-token.js";
import {
  actionsOf,
  flat,
  logicalId,
  resourcesOf,
  roleStatements,
  type Statement,
  type Synthesized,
  synthesize,
} from "./stack.js";

const sample = synthesize();
const V2_POLICY = join(PROJECT_ROOT, "examples", "policy-v2.yaml");

function statementsOf(synthesized: Synthesized, name: FunctionName): Statement[] {
  const fn = synthesized.synchronizer.functions[name];
  if (fn === undefined) throw new Error(`no ${name} function`);
  return roleStatements(synthesized.template, fn.role.node.defaultChild as CfnRole, synthesized.stack);
}

const OWNED = `aws:ResourceTag/${OWNERSHIP_TAG.Key}`;
const CREATED_OWNED = `aws:RequestTag/${OWNERSHIP_TAG.Key}`;
const isEc2 = (action: string) => action.startsWith("ec2:");
const isEc2Write = (action: string) =>
  isEc2(action) && !(EC2_READ_ACTIONS as readonly string[]).includes(action);
/** Writes that EC2 authorizes against a tag on the object itself (owned groups and prefix lists). */
const OWNED_WRITES = [
  "ec2:AuthorizeSecurityGroupIngress",
  "ec2:RevokeSecurityGroupIngress",
  "ec2:AuthorizeSecurityGroupEgress",
  "ec2:RevokeSecurityGroupEgress",
  "ec2:DeleteSecurityGroup",
  "ec2:ModifyManagedPrefixList",
  "ec2:DeleteManagedPrefixList",
];

function condition(statement: Statement, operator: string, key: string): unknown {
  return statement.Condition?.[operator]?.[key];
}

describe("IAM: the ingest functions", () => {
  it.each(["aws-events", "azure-events", "gcp-events"] as const)(
    "%s may only write its logs and send to the queue, and cannot touch EC2",
    (name) => {
      const statements = statementsOf(sample, name);
      const actions = statements.flatMap(actionsOf);
      expect(actions.filter(isEc2)).toEqual([]);
      // aws-events also hands the events it failed on to their dead-letter queue (an async-invoke
      // destination, granted as CDK's grantSendMessages: SendMessage, GetQueueAttributes, GetQueueUrl).
      const deadLetters = name === "aws-events" ? sample.synchronizer.eventsDeadLetterQueue : undefined;
      expect(new Set(actions)).toEqual(
        new Set([
          "logs:CreateLogStream",
          "logs:PutLogEvents",
          "sqs:SendMessage",
          ...(deadLetters === undefined ? [] : ["sqs:GetQueueAttributes", "sqs:GetQueueUrl"]),
        ]),
      );
      const sends = statements.filter((statement) => actionsOf(statement).includes("sqs:SendMessage"));
      const queues = [sample.synchronizer.queue, ...(deadLetters === undefined ? [] : [deadLetters])];
      expect(sends.map((statement) => statement.Resource)).toEqual(
        expect.arrayContaining(
          queues.map((queue) => ({ "Fn::GetAtt": [logicalId(queue, sample.stack), "Arn"] })),
        ),
      );
      expect(sends).toHaveLength(queues.length);
      const logs = statements.find((statement) => actionsOf(statement).includes("logs:PutLogEvents"));
      const logGroup = sample.synchronizer.functions[name]?.logGroup;
      expect(logs?.Resource).toEqual({
        "Fn::GetAtt": [logicalId(logGroup ?? sample.stack, sample.stack), "Arn"],
      });
    },
  );

  it("azure-events reads the Event Grid secret when the webhook authenticates with one, and only it", () => {
    const secretArn = "arn:aws:secretsmanager:us-east-1:111111111111:secret:segsync/eventgrid";
    const withSecret = synthesize({ ...SAMPLE_PROPS, eventGridAuth: { mode: "secret", secretArn } });
    const statements = statementsOf(withSecret, "azure-events");
    const read = statements.filter((statement) =>
      actionsOf(statement).includes("secretsmanager:GetSecretValue"),
    );
    expect(read.map((statement) => statement.Resource)).toEqual([`${secretArn}-??????`]);
    expect(statementsOf(withSecret, "gcp-events").flatMap(actionsOf)).not.toContain(
      "secretsmanager:GetSecretValue",
    );
    expect(statementsOf(sample, "azure-events").flatMap(actionsOf)).not.toContain(
      "secretsmanager:GetSecretValue",
    );
  });
});

describe("IAM: the reconciler", () => {
  const statements = statementsOf(sample, "reconciler");
  const ec2 = statements.filter((statement) => actionsOf(statement).some(isEc2));

  it("is the same for a v2 policy (deny rules, enforced egress), bundled as given: egress writes are owned writes", () => {
    const v2 = synthesize({ ...SAMPLE_PROPS, policyFile: V2_POLICY });
    expect(v2.synchronizer.settings.policy.text).toBe(readFileSync(V2_POLICY, "utf8"));
    expect(statementsOf(v2, "reconciler")).toEqual(statements);
    const owned = statements.find((statement) => statement.Sid === "Ec2WriteOwned");
    expect(owned && actionsOf(owned)).toEqual(expect.arrayContaining(["ec2:AuthorizeSecurityGroupEgress"]));
  });

  it("grants no EC2 write without a condition, and every EC2 statement only in the configured regions", () => {
    expect(ec2.length).toBeGreaterThan(0);
    for (const statement of ec2) {
      expect(statement.Effect).toBe("Allow");
      expect(condition(statement, "StringEquals", "aws:RequestedRegion"), statement.Sid).toEqual([
        "us-east-1",
      ]);
      expect(
        actionsOf(statement).every((action) => !action.includes("*")),
        statement.Sid,
      ).toBe(true);
    }
  });

  it("changes security groups and prefix lists only when they carry the ownership tag", () => {
    for (const statement of ec2.filter((s) => actionsOf(s).some((action) => OWNED_WRITES.includes(action)))) {
      expect(condition(statement, "StringEquals", OWNED), statement.Sid).toBe(OWNERSHIP_TAG.Value);
      expect(
        actionsOf(statement).every((action) => OWNED_WRITES.includes(action)),
        statement.Sid,
      ).toBe(true);
    }
    const granted = ec2.flatMap(actionsOf);
    for (const action of OWNED_WRITES) expect(granted).toContain(action);
  });

  it("creates groups and prefix lists only with the ownership tag, and tags on create only in the creating call", () => {
    const creates = ec2.filter((s) =>
      actionsOf(s).some((action) => /^ec2:Create(SecurityGroup|ManagedPrefixList)$/.test(action)),
    );
    const onObjects = creates.filter((s) =>
      resourcesOf(s).some((r) => /(security-group|prefix-list)\/\*$/.test(flat(r))),
    );
    expect(onObjects).toHaveLength(1);
    expect(condition(onObjects[0] as Statement, "StringEquals", CREATED_OWNED)).toBe(OWNERSHIP_TAG.Value);
    // The rest: CreateSecurityGroup on the customer's VPC, which carries no segsync tag.
    const others = creates.filter((s) => !onObjects.includes(s));
    expect(others.flatMap(actionsOf)).toEqual(["ec2:CreateSecurityGroup"]);
    // The sample lists its hub VPC: only there.
    expect(others.flatMap(resourcesOf).map(flat)).toEqual([
      "arn:<AWS::Partition>:ec2:*:111111111111:vpc/vpc-0a1b2c3d",
    ]);

    const tagOnCreate = ec2.find((s) => condition(s, "StringEquals", "ec2:CreateAction") !== undefined);
    expect(actionsOf(tagOnCreate as Statement)).toEqual(["ec2:CreateTags"]);
    expect(condition(tagOnCreate as Statement, "StringEquals", "ec2:CreateAction")).toEqual([
      "CreateSecurityGroup",
      "CreateManagedPrefixList",
    ]);
  });

  it("tags and untags only its own keys: on owned objects never the ownership tag, on ENIs only the restore record and its seal", () => {
    const tagging = ec2.filter(
      (s) =>
        actionsOf(s).some((action) => action === "ec2:CreateTags" || action === "ec2:DeleteTags") &&
        condition(s, "StringEquals", "ec2:CreateAction") === undefined,
    );
    expect(tagging.map((s) => s.Sid).sort()).toEqual([
      "Ec2TagInterfaces",
      "Ec2TagOwned",
      "Ec2UntagInterfaces",
    ]);
    for (const statement of tagging) {
      expect(condition(statement, "Null", "aws:TagKeys"), statement.Sid).toBe("false");
      const onInterfaces = resourcesOf(statement).every((r) => flat(r).endsWith(":network-interface/*"));
      if (onInterfaces) {
        expect(condition(statement, "ForAllValues:StringEquals", "aws:TagKeys")).toEqual([
          ORIGINAL_GROUPS_TAG_KEY,
          ORIGINAL_GROUPS_SEAL_TAG_KEY,
        ]);
      } else {
        expect(condition(statement, "StringEquals", OWNED)).toBe(OWNERSHIP_TAG.Value);
        expect(condition(statement, "ForAllValues:StringNotEquals", "aws:TagKeys")).toEqual([
          OWNERSHIP_TAG.Key,
        ]);
      }
    }
  });

  it("leaves exactly two EC2 writes without an ownership condition: the VPC side of CreateSecurityGroup and the ENI group list", () => {
    const unowned = ec2.filter(
      (s) =>
        actionsOf(s).some(isEc2Write) &&
        condition(s, "StringEquals", OWNED) === undefined &&
        condition(s, "StringEquals", CREATED_OWNED) === undefined &&
        condition(s, "StringEquals", "ec2:CreateAction") === undefined &&
        condition(s, "ForAllValues:StringEquals", "aws:TagKeys") === undefined,
    );
    expect(unowned.map((s) => s.Sid).sort()).toEqual(["Ec2CreateGroupInVpc", "Ec2SetInterfaceGroups"]);
    const setGroups = unowned.find((s) => s.Sid === "Ec2SetInterfaceGroups");
    expect(actionsOf(setGroups as Statement)).toEqual(["ec2:ModifyNetworkInterfaceAttribute"]);
  });

  it("reads EC2 with Describe calls on any resource, in the configured regions only", () => {
    const reads = ec2.filter((s) => actionsOf(s).some((action) => !isEc2Write(action)));
    expect(reads).toHaveLength(1);
    expect(new Set(actionsOf(reads[0] as Statement))).toEqual(new Set(EC2_READ_ACTIONS));
    expect(reads[0]?.Resource).toBe("*");
  });

  it("scopes EC2 to the account it reaches with its own role, and assumes the configured roles elsewhere", () => {
    for (const resource of ec2.flatMap(resourcesOf).filter((r) => r !== "*")) {
      expect(flat(resource)).toMatch(/^arn:<AWS::Partition>:ec2:\*:111111111111:[a-z-]+\/(\*|vpc-0a1b2c3d)$/);
    }
    const assume = statements.filter((statement) => actionsOf(statement).includes("sts:AssumeRole"));
    expect(assume.map((statement) => statement.Resource)).toEqual([
      "arn:aws:iam::222222222222:role/segsync-reconciler",
    ]);
  });

  it("gets a web identity token only for the federated audiences, as the credentials code asks for it", () => {
    const tokens = statements.filter((statement) => actionsOf(statement).includes("sts:GetWebIdentityToken"));
    expect(tokens).toHaveLength(1);
    expect(tokens[0]?.Condition).toEqual({
      "ForAllValues:StringEquals": {
        "sts:IdentityTokenAudience": [
          "api://AzureADTokenExchange",
          "https://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/segsync/providers/aws",
        ],
      },
      Null: { "sts:IdentityTokenAudience": "false" },
      NumericLessThanEquals: { "sts:DurationSeconds": WEB_IDENTITY_TOKEN_SECONDS },
      StringEquals: { "sts:SigningAlgorithm": "RS256" },
    });
    // Federated: no cloud credential secret, only the record key.
    const secrets = statements.filter((s) => actionsOf(s).includes("secretsmanager:GetSecretValue"));
    expect(secrets.map((s) => s.Sid)).toEqual(["RecordKey"]);
  });

  it("reads the Azure and GCP credential secrets only when auth is by secret", () => {
    const azureSecret = "arn:aws:secretsmanager:us-east-1:111111111111:secret:segsync/azure-AbCdEf";
    const gcpSecret = "arn:aws:secretsmanager:us-east-1:111111111111:secret:segsync/gcp";
    const withSecrets = synthesize({
      ...SAMPLE_PROPS,
      azure: {
        subscriptions: SAMPLE_PROPS.azure?.subscriptions ?? [],
        auth: {
          kind: "secret",
          tenantId: "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
          clientId: "1c2d3e4f-5061-7283-94a5-b6c7d8e9f0a1",
          secretArn: azureSecret,
        },
      },
      gcp: { projects: ["shop-prod"], auth: { kind: "secret", secretArn: gcpSecret } },
    });
    const reconciler = statementsOf(withSecrets, "reconciler");
    const read = reconciler.filter((statement) => statement.Sid === "CloudCredentials");
    expect(read.flatMap(actionsOf)).toEqual(["secretsmanager:GetSecretValue"]);
    expect(read.flatMap(resourcesOf)).toEqual([azureSecret, `${gcpSecret}-??????`]);
    expect(reconciler.flatMap(actionsOf)).not.toContain("sts:GetWebIdentityToken");
  });

  it("has item access to the inventory table only, and consumes the queue", () => {
    const table = statements.filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith("dynamodb:")),
    );
    expect(table).toHaveLength(1);
    expect(new Set(actionsOf(table[0] as Statement))).toEqual(new Set(TABLE_ITEM_ACTIONS));
    expect(table[0]?.Resource).toEqual({
      "Fn::GetAtt": [logicalId(sample.synchronizer.table, sample.stack), "Arn"],
    });
    const consume = statements.find((statement) => actionsOf(statement).includes("sqs:ReceiveMessage"));
    expect(consume?.Resource).toEqual({
      "Fn::GetAtt": [logicalId(sample.synchronizer.queue, sample.stack), "Arn"],
    });
    // Consuming includes reading the queue's depth, which coalesces a burst (lib/ingest/queue-depth.ts).
    expect(consume === undefined ? [] : actionsOf(consume)).toContain("sqs:GetQueueAttributes");
    expect(statements.flatMap(actionsOf)).not.toContain("sqs:SendMessage");
  });

  it("uses a customer managed table key with named KMS actions only", () => {
    let keyId = "";
    const keyed = synthesize((stack) => {
      const key = new Key(stack, "TableKey", { enableKeyRotation: true });
      keyId = stack.getLogicalId(key.node.defaultChild as CfnKey);
      return { ...SAMPLE_PROPS, tableEncryptionKey: key };
    });
    keyed.template.hasResourceProperties("AWS::DynamoDB::Table", {
      SSESpecification: {
        SSEEnabled: true,
        SSEType: "KMS",
        KMSMasterKeyId: { "Fn::GetAtt": [keyId, "Arn"] },
      },
    });
    const kms = statementsOf(keyed, "reconciler").filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith("kms:")),
    );
    expect(kms).toHaveLength(1);
    expect(new Set(actionsOf(kms[0] as Statement))).toEqual(
      new Set(["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]),
    );
    expect(kms[0]?.Resource).toEqual({ "Fn::GetAtt": [keyId, "Arn"] });
    expect(statements.flatMap(actionsOf).filter((action) => action.startsWith("kms:"))).toEqual([]);
  });

  it("gets no EC2 permission at all when every account is reached through a role", () => {
    const roles = synthesize({
      ...SAMPLE_PROPS,
      aws: {
        accounts: [
          {
            account: "222222222222",
            regions: ["us-west-2"],
            roleArn: "arn:aws:iam::222222222222:role/segsync",
          },
          {
            account: "333333333333",
            regions: ["eu-west-1"],
            roleArn: "arn:aws:iam::333333333333:role/segsync",
          },
        ],
      },
    });
    const reconciler = statementsOf(roles, "reconciler");
    expect(reconciler.flatMap(actionsOf).filter(isEc2)).toEqual([]);
    const assume = reconciler.find((statement) => actionsOf(statement).includes("sts:AssumeRole"));
    expect(assume?.Resource).toEqual([
      "arn:aws:iam::222222222222:role/segsync",
      "arn:aws:iam::333333333333:role/segsync",
    ]);
  });

  it("uses no AWS managed policy on any role", () => {
    for (const role of Object.values(sample.template.findResources("AWS::IAM::Role"))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

/** The sample's props with the hub account listing no VPCs. */
const WITHOUT_VPCS = {
  ...SAMPLE_PROPS,
  aws: {
    accounts: (SAMPLE_PROPS.aws?.accounts ?? []).map(({ vpcs: _vpcs, ...account }) => account),
  },
};
const HUB_VPC_ARN = "arn:<AWS::Partition>:ec2:*:111111111111:vpc/vpc-0a1b2c3d";

function bySid(statements: Statement[], sid: string): Statement {
  const found = statements.find((statement) => statement.Sid === sid);
  if (found === undefined) throw new Error(`no statement ${sid}`);
  return found;
}

function vpcCondition(statement: Statement): string[] | undefined {
  const value = condition(statement, "ArnLike", "ec2:Vpc");
  return value === undefined ? undefined : (value as unknown[]).map(flat);
}

describe("IAM: the configured VPCs", () => {
  const scoped = statementsOf(sample, "reconciler");
  const unscopedSynth = synthesize(WITHOUT_VPCS);
  const unscoped = statementsOf(unscopedSynth, "reconciler");

  it("sets ENI groups and tags ENIs only in the listed VPCs (ec2:Vpc), and creates groups only in them (VPC ARNs)", () => {
    expect(vpcCondition(bySid(scoped, "Ec2SetInterfaceGroups"))).toEqual([HUB_VPC_ARN]);
    expect(actionsOf(bySid(scoped, "Ec2TagInterfaces"))).toEqual(["ec2:CreateTags"]);
    expect(vpcCondition(bySid(scoped, "Ec2TagInterfaces"))).toEqual([HUB_VPC_ARN]);
    expect(resourcesOf(bySid(scoped, "Ec2CreateGroupInVpc")).map(flat)).toEqual([HUB_VPC_ARN]);
    // DeleteTags has no ec2:Vpc key (docs/iam.md): a condition on it would deny every call.
    const untag = bySid(scoped, "Ec2UntagInterfaces");
    expect(actionsOf(untag)).toEqual(["ec2:DeleteTags"]);
    expect(vpcCondition(untag)).toBeUndefined();
    // No other statement carries the key: on prefix lists and in the creating call it does not exist.
    const withVpc = scoped.filter((statement) => vpcCondition(statement) !== undefined).map((s) => s.Sid);
    expect(withVpc.sort()).toEqual(["Ec2SetInterfaceGroups", "Ec2TagInterfaces"]);
  });

  it("without vpcs keeps the account and region scope, and says so at synth", () => {
    expect(vpcCondition(bySid(unscoped, "Ec2SetInterfaceGroups"))).toBeUndefined();
    expect(vpcCondition(bySid(unscoped, "Ec2TagInterfaces"))).toBeUndefined();
    expect(resourcesOf(bySid(unscoped, "Ec2CreateGroupInVpc")).map(flat)).toEqual([
      "arn:<AWS::Partition>:ec2:*:111111111111:vpc/*",
    ]);
    const warnings = Annotations.fromStack(unscopedSynth.stack).findWarning("*", Match.anyValue());
    expect(warnings.map((warning) => String(warning.entry.data))).toEqual([
      expect.stringMatching(/^aws\.accounts: 111111111111 lists no vpcs, .*any ENI.*docs\/iam\.md/),
    ]);
    expect(Annotations.fromStack(sample.stack).findWarning("*", Match.anyValue())).toEqual([]);
  });

  it("merges the entries of the reconciler's own account: their VPCs, or none when one entry lists none", () => {
    const entry = (regions: string[], vpcs?: string[]) => ({
      account: "111111111111",
      regions,
      ...(vpcs === undefined ? {} : { vpcs }),
    });
    const config = (accounts: ReturnType<typeof entry>[]) =>
      LiveConfigSchema.parse({ apiVersion: "segsync/v1", kind: "Config", aws: { accounts } });
    expect(
      localEc2Scope(config([entry(["us-east-1"], ["vpc-0a1b2c3d"]), entry(["eu-west-1"], ["vpc-1b2c3d4e"])])),
    ).toEqual({
      account: "111111111111",
      regions: ["us-east-1", "eu-west-1"],
      vpcs: ["vpc-0a1b2c3d", "vpc-1b2c3d4e"],
    });
    expect(localEc2Scope(config([entry(["us-east-1"], ["vpc-0a1b2c3d"]), entry(["eu-west-1"])]))).toEqual({
      account: "111111111111",
      regions: ["us-east-1", "eu-west-1"],
    });
  });
});

/** Whether IAM's StringLike pattern (`*`, `?`) matches the value. */
function likeMatches(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${regex}$`).test(value);
}

describe("IAM: the seal tags", () => {
  const statements = statementsOf(sample, "reconciler");

  it("lets segsync write its seal and identity on owned groups and prefix lists, never the ownership tag", () => {
    const owned = bySid(statements, "Ec2TagOwned");
    const allowed = condition(owned, "ForAllValues:StringLike", "aws:TagKeys") as string[];
    const refused = condition(owned, "ForAllValues:StringNotEquals", "aws:TagKeys") as string[];
    const admits = (key: string) =>
      allowed.some((pattern) => likeMatches(pattern, key)) && !refused.includes(key);
    expect(admits(SEAL_TAG_KEY)).toBe(true);
    expect(admits(IDENTITY_TAG_KEY)).toBe(true);
    expect(admits(OWNERSHIP_TAG.Key)).toBe(false);
    expect(admits("Name")).toBe(false);
  });

  it("writes and removes exactly the restore record and its seal on ENIs", () => {
    expect(INTERFACE_TAG_KEYS).toEqual([ORIGINAL_GROUPS_TAG_KEY, ORIGINAL_GROUPS_SEAL_TAG_KEY]);
    for (const sid of ["Ec2TagInterfaces", "Ec2UntagInterfaces"]) {
      expect(condition(bySid(statements, sid), "ForAllValues:StringEquals", "aws:TagKeys"), sid).toEqual([
        ...INTERFACE_TAG_KEYS,
      ]);
    }
  });
});

describe("IAM: the record key", () => {
  it("only the reconciler may read it", () => {
    const secretId = logicalId(sample.synchronizer.recordKeySecret as Secret, sample.stack);
    const reads = bySid(statementsOf(sample, "reconciler"), "RecordKey");
    expect(actionsOf(reads)).toEqual(["secretsmanager:GetSecretValue"]);
    expect(reads.Resource).toEqual({ Ref: secretId });
    const reconcilerRole = sample.stack.getLogicalId(
      sample.synchronizer.functions.reconciler?.role.node.defaultChild as CfnRole,
    );
    const policies = Object.values(sample.template.findResources("AWS::IAM::Policy"));
    const readers = policies.filter((policy) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes(`{"Ref":"${secretId}"}`),
    );
    expect(readers.flatMap((policy) => policy.Properties.Roles)).toEqual([{ Ref: reconcilerRole }]);
  });

  it("a team's own secret is read by its ARN, and decrypted with its own key", () => {
    const secretArn = "arn:aws:secretsmanager:us-east-1:111111111111:secret:team/segsync-key-AbCdEf";
    let keyId = "";
    const own = synthesize((stack) => {
      const key = new Key(stack, "TeamKey", { enableKeyRotation: true });
      keyId = stack.getLogicalId(key.node.defaultChild as CfnKey);
      const recordKeySecret = Secret.fromSecretAttributes(stack, "TeamSecret", {
        secretCompleteArn: secretArn,
        encryptionKey: key,
      });
      return { ...SAMPLE_PROPS, recordKeySecret };
    });
    own.template.resourceCountIs("AWS::SecretsManager::Secret", 0);
    const reconciler = statementsOf(own, "reconciler");
    expect(bySid(reconciler, "RecordKey").Resource).toBe(secretArn);
    const decrypt = reconciler.filter((statement) => actionsOf(statement).includes("kms:Decrypt"));
    expect(decrypt.map((statement) => statement.Resource)).toEqual([{ "Fn::GetAtt": [keyId, "Arn"] }]);
    for (const name of ["aws-events", "azure-events", "gcp-events"] as const) {
      expect(statementsOf(own, name).flatMap(actionsOf), name).not.toContain("secretsmanager:GetSecretValue");
    }
  });

  it("a secret named without its random suffix is matched with the wildcard IAM needs", () => {
    const named = synthesize((stack) => ({
      ...SAMPLE_PROPS,
      recordKeySecret: Secret.fromSecretNameV2(stack, "Named", "team/segsync-key"),
    }));
    expect(flat(bySid(statementsOf(named, "reconciler"), "RecordKey").Resource)).toBe(
      "arn:<AWS::Partition>:secretsmanager:us-east-1:111111111111:secret:team/segsync-key-??????",
    );
  });
});
