import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SAMPLE_PROPS } from "../../infra/sample.js";
import { type SegmentationSynchronizerProps, SynchronizerConfigError } from "../../infra/synchronizer.js";
import { formatIssue, loadPolicyText } from "../../lib/policy/load.js";
import { construct } from "./stack.js";

const directory = mkdtempSync(join(tmpdir(), "segsync-infra-"));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** The error the constructor throws for these props (the synth fails with it). */
function failure(props: SegmentationSynchronizerProps, account: string | null = "111111111111") {
  try {
    construct(props, account);
  } catch (error) {
    expect(error).toBeInstanceOf(SynchronizerConfigError);
    return error as SynchronizerConfigError;
  }
  throw new Error("the construct accepted these props");
}

const BAD_POLICY = readFileSync(SAMPLE_PROPS.policyFile, "utf8")
  .replace("services: [postgres]", "services: [postgress]")
  .replace("10.8.0.0/16", "10.8.0.0/33");

describe("a bad policy fails the synth", () => {
  it("with every issue as the policy loader reports it: file:line:col path: message", () => {
    const file = join(directory, "bad-policy.yaml");
    writeFileSync(file, BAD_POLICY);
    const loaded = loadPolicyText(BAD_POLICY, file);
    if (loaded.ok) throw new Error("the fixture policy should be invalid");
    const expected = loaded.issues.map((issue) => formatIssue(file, issue));
    expect(expected.length).toBeGreaterThanOrEqual(2);

    const error = failure({ ...SAMPLE_PROPS, policyFile: file });
    expect(error.problems).toEqual(expected);
    for (const line of expected) {
      expect(line).toMatch(/^\/.+bad-policy\.yaml:\d+:\d+ \S+: .+/);
      expect(error.message).toContain(line);
    }
    expect(error.message).toMatch(/the policy .*bad-policy\.yaml is not valid \(\d+ issues\)/);
  });

  it("names a relative policy file as it was given", () => {
    const file = join(directory, "relative-bad.yaml");
    writeFileSync(file, BAD_POLICY);
    const given = relative(process.cwd(), file);
    const error = failure({ ...SAMPLE_PROPS, policyFile: given });
    expect(error.problems.every((line) => line.startsWith(`${given}:`))).toBe(true);
  });

  it("when the file cannot be read", () => {
    const error = failure({ ...SAMPLE_PROPS, policyFile: join(directory, "missing.yaml") });
    expect(error.problems).toEqual([`${join(directory, "missing.yaml")}: ENOENT`]);
  });
});

describe("a bad configuration fails the synth", () => {
  it("with the live config schema's messages and paths", () => {
    const error = failure({
      ...SAMPLE_PROPS,
      aws: { accounts: [{ account: "1234", regions: ["moon-1"] }] },
      guard: { maxRemovedShare: 2 },
    });
    expect(error.problems).toEqual(
      expect.arrayContaining([
        "config.aws.accounts[0].account: an AWS account id is 12 digits",
        "config.aws.accounts[0].regions[0]: not an AWS region",
        expect.stringMatching(/^config\.guard\.maxRemovedShare: /),
      ]),
    );
  });

  it("when it names no cloud", () => {
    const error = failure({ policyFile: SAMPLE_PROPS.policyFile });
    expect(error.problems).toEqual(["config: names no cloud: give at least one of aws, azure and gcp"]);
  });

  it("when the webhook settings of a configured cloud are missing or wrong, or given without it", () => {
    const {
      eventGridAuth: _e,
      pubSubAudience: _a,
      pubSubServiceAccountEmail: _m,
      ...withoutIngest
    } = SAMPLE_PROPS;
    expect(failure(withoutIngest).problems).toEqual([
      "eventGridAuth: required with azure (how the Azure ingest function authenticates)",
      expect.stringMatching(/^pubSubAudience: /),
      expect.stringMatching(/^pubSubServiceAccountEmail: /),
    ]);
    const badSecret = failure({
      ...SAMPLE_PROPS,
      eventGridAuth: { mode: "secret", secretArn: "segsync-secret" },
    });
    expect(badSecret.problems).toEqual(["eventGridAuth.secretArn: not a Secrets Manager secret ARN"]);
    const awsOnly = { policyFile: SAMPLE_PROPS.policyFile, aws: SAMPLE_PROPS.aws };
    expect(failure({ ...awsOnly, eventGridAuth: SAMPLE_PROPS.eventGridAuth }).problems).toEqual([
      "eventGridAuth: given without azure",
    ]);
  });

  it("when an account without roleArn is not the stack's", () => {
    const error = failure(SAMPLE_PROPS, "999999999999");
    expect(error.problems).toEqual([
      "aws.accounts: 111111111111 has no roleArn, so the reconciler's own role acts there, but the stack is deployed in 999999999999",
    ]);
    // Not knowable at synth in an environment-agnostic stack: its EC2 ARNs name that account.
    expect(() => construct(SAMPLE_PROPS, null)).not.toThrow();
  });

  it("when two accounts have no roleArn", () => {
    const error = failure({
      ...SAMPLE_PROPS,
      aws: {
        accounts: [
          { account: "111111111111", regions: ["us-east-1"] },
          { account: "222222222222", regions: ["us-west-2"] },
        ],
      },
    });
    expect(error.problems).toEqual([
      expect.stringMatching(/^aws\.accounts: 111111111111, 222222222222 have no roleArn/),
    ]);
  });

  it("when the configuration does not fit in the reconciler's environment", () => {
    const projects = Array.from(
      { length: 200 },
      (_, index) => `segsync-project-${String(index).padStart(4, "0")}`,
    );
    const error = failure({ ...SAMPLE_PROPS, gcp: { ...SAMPLE_PROPS.gcp, projects } });
    // 3500 bytes less what the record key's secret ARN takes once it is added at deploy.
    expect(error.problems).toEqual([
      expect.stringMatching(
        /^config: \d+ bytes as JSON, more than the 3250 that fit .* beside the record key/,
      ),
    ]);
  });

  it("when an account's VPCs are not VPC ids, or one is listed twice", () => {
    const accounts = (vpcs: string[]) => ({
      aws: { accounts: [{ account: "111111111111", regions: ["us-east-1"], vpcs }] },
    });
    expect(
      failure({ ...SAMPLE_PROPS, ...accounts(["vpc-0a1b2c3d", "subnet-0a1b2c3d", "vpc-0A1B2C3D"]) }).problems,
    ).toEqual([
      "config.aws.accounts[0].vpcs[1]: not a VPC id (vpc- and 8 or 17 lowercase hex digits)",
      "config.aws.accounts[0].vpcs[2]: not a VPC id (vpc- and 8 or 17 lowercase hex digits)",
    ]);
    expect(failure({ ...SAMPLE_PROPS, ...accounts(["vpc-0a1b2c3d", "vpc-0a1b2c3d"]) }).problems).toEqual([
      "config.aws.accounts[0].vpcs: lists a VPC twice",
    ]);
    expect(failure({ ...SAMPLE_PROPS, ...accounts([]) }).problems).toEqual([
      expect.stringMatching(/^config\.aws\.accounts\[0\]\.vpcs: /),
    ]);
    expect(() => construct({ ...SAMPLE_PROPS, ...accounts(["vpc-0123456789abcdef0"]) })).not.toThrow();
  });

  it("when the ingest concurrency is not a whole number of at least 1, or a queue sender is not a role", () => {
    expect(failure({ ...SAMPLE_PROPS, ingestConcurrency: 0 }).problems).toEqual([
      "ingestConcurrency: must be at least 1 (0 would stop the function)",
    ]);
    expect(failure({ ...SAMPLE_PROPS, ingestConcurrency: 2.5 }).problems).toEqual([
      "ingestConcurrency: must be a whole number",
    ]);
    expect(
      failure({ ...SAMPLE_PROPS, queueSenders: ["arn:aws:iam::111111111111:user/admin"] }).problems,
    ).toEqual(["queueSenders[0]: not an IAM role ARN"]);
  });

  it("when the attachment mode is unknown", () => {
    const error = failure({ ...SAMPLE_PROPS, attachment: "partial" as "additive" });
    expect(error.problems).toEqual(['attachment: "partial" is neither exclusive nor additive']);
  });
});
