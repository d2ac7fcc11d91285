/**
 * The reconciler's EC2 statements against the Service Authorization Reference (the rows of
 * test/fixtures/iam/list_amazonec2-actions.html, SOURCES.md): every condition key a statement
 * uses must exist for every resource type of its actions that the statement names, because a
 * condition on a key the request does not carry fails, and the call with it (docs/iam.md).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CfnRole } from "aws-cdk-lib/aws-iam";
import { describe, expect, it } from "vitest";
import { SAMPLE_PROPS } from "../../infra/sample.js";
import {
  actionsOf,
  flat,
  resourcesOf,
  roleStatements,
  type Statement,
  type Synthesized,
  synthesize,
} from "./stack.js";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "iam", "list_amazonec2-actions.html");
/** Keys that every request carries, whatever the service lists. */
const GLOBAL_KEYS = new Set(["aws:RequestedRegion"]);
/** The keys of an action that apply whatever the resource (its row without a resource type). */
const ANY_RESOURCE = "";

type Reference = Map<string, Map<string, Set<string>>>;

function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Action → resource type (without the required mark) → its condition keys. */
function readReference(): Reference {
  const reference: Reference = new Map();
  let current: Map<string, Set<string>> | undefined;
  for (const row of readFileSync(FIXTURE, "utf8").split("<tr>").slice(1)) {
    const cells = [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((match) => match[0]);
    const action = /<td id="amazonec2-([A-Za-z]+)"/.exec(cells[0] ?? "")?.[1];
    if (action !== undefined) {
      current = new Map();
      reference.set(action, current);
    }
    const [resourceCell, keysCell] = cells.slice(-3);
    if (current === undefined || resourceCell === undefined || keysCell === undefined) continue;
    const resourceType = text(resourceCell).replace(/\*$/, "");
    const keys = [...keysCell.matchAll(/<a[^>]*>([\s\S]*?)<\/a>/g)].map((match) => text(match[1] ?? ""));
    current.set(resourceType, new Set(keys));
  }
  return reference;
}

const reference = readReference();

/** `aws:ResourceTag/segsync:managed` as the reference names it: `aws:ResourceTag/${TagKey}`. */
function referenceKey(key: string): string {
  return key.replace(
    /^(aws:(?:Resource|Request)Tag)\/.+$/,
    (_whole, prefix: string) => `${prefix}/\${TagKey}`,
  );
}

function resourceTypeOf(arn: string): string {
  const match = /:ec2:[^:]*:\d{12}:([a-z-]+)\//.exec(arn);
  if (match?.[1] === undefined) throw new Error(`not an EC2 ARN: ${arn}`);
  return match[1];
}

function ec2Statements(synthesized: Synthesized): Statement[] {
  const role = synthesized.synchronizer.functions.reconciler?.role;
  if (role === undefined) throw new Error("no reconciler");
  return roleStatements(synthesized.template, role.node.defaultChild as CfnRole, synthesized.stack).filter(
    (statement) => actionsOf(statement).some((action) => action.startsWith("ec2:")),
  );
}

/** Each key that a statement conditions on but that EC2 does not give for one of its resources. */
function unavailableKeys(statement: Statement): string[] {
  const keys = Object.values(statement.Condition ?? {}).flatMap((byKey) => Object.keys(byKey));
  const resources = resourcesOf(statement).map(flat);
  const problems: string[] = [];
  for (const action of actionsOf(statement).map((name) => name.replace(/^ec2:/, ""))) {
    const byResource = reference.get(action);
    if (byResource === undefined) {
      problems.push(`${action}: not in the reference`);
      continue;
    }
    const types = resources.includes("*")
      ? [ANY_RESOURCE]
      : resources.map(resourceTypeOf).filter((type) => byResource.has(type));
    if (types.length === 0)
      problems.push(`${action}: none of ${resources.join(", ")} is one of its resource types`);
    for (const type of types) {
      const available = new Set([...(byResource.get(type) ?? []), ...(byResource.get(ANY_RESOURCE) ?? [])]);
      for (const key of keys) {
        if (!GLOBAL_KEYS.has(key) && !available.has(referenceKey(key)))
          problems.push(`${action} on ${type || "*"}: ${key}`);
      }
    }
  }
  return problems;
}

describe("the reconciler's EC2 condition keys, against the Service Authorization Reference", () => {
  it("reads the reference rows the statements rely on", () => {
    expect([...reference.keys()]).toHaveLength(17);
    expect(reference.get("ModifyNetworkInterfaceAttribute")?.get("network-interface")).toContain("ec2:Vpc");
    expect(reference.get("ModifyNetworkInterfaceAttribute")?.get("security-group")).toContain("ec2:Vpc");
    expect(reference.get("CreateTags")?.get("network-interface")).toContain("ec2:Vpc");
    expect(reference.get("DeleteTags")?.get("network-interface")).not.toContain("ec2:Vpc");
    expect(reference.get("CreateSecurityGroup")?.get("security-group")).not.toContain("ec2:Vpc");
    expect(reference.get("CreateSecurityGroup")?.get("vpc")).toContain("ec2:VpcID");
    expect(reference.get("CreateTags")?.get(ANY_RESOURCE)).toContain("ec2:CreateAction");
  });

  it.each([
    ["with vpcs (the sample)", SAMPLE_PROPS],
    [
      "without vpcs",
      { ...SAMPLE_PROPS, aws: { accounts: [{ account: "111111111111", regions: ["us-east-1"] }] } },
    ],
  ])("uses only keys EC2 gives for each action and resource: %s", (_name, props) => {
    const statements = ec2Statements(synthesize(props));
    expect(statements.length).toBeGreaterThan(0);
    expect(
      Object.fromEntries(statements.map((statement) => [statement.Sid, unavailableKeys(statement)])),
    ).toEqual(Object.fromEntries(statements.map((statement) => [statement.Sid, []])));
  });

  it("would catch ec2:Vpc on DeleteTags", () => {
    const untag: Statement = {
      Sid: "Probe",
      Effect: "Allow",
      Action: ["ec2:CreateTags", "ec2:DeleteTags"],
      Resource: "arn:aws:ec2:*:111111111111:network-interface/*",
      Condition: { ArnLike: { "ec2:Vpc": ["arn:aws:ec2:*:111111111111:vpc/vpc-0a1b2c3d"] } },
    };
    expect(unavailableKeys(untag)).toEqual(["DeleteTags on network-interface: ec2:Vpc"]);
  });
});
