/**
 * The guardrails of docs/guardrails.md, from the synchronizer's own settings: stack outputs with
 * the SCP, the tag policy, the Azure Policy definition and the GCP deny policy, and, when asked,
 * the SCP itself as an AWS::Organizations::Policy (only the organization's management account,
 * or a delegated administrator for policies, can deploy that).
 */
import { CfnOutput, Stack } from "aws-cdk-lib";
import type { IRole } from "aws-cdk-lib/aws-iam";
import { CfnPolicy } from "aws-cdk-lib/aws-organizations";
import { Construct } from "constructs";
import { buildGuardrails, type GuardrailCloud, type Guardrails } from "../lib/guardrails/build.js";
import { GuardrailDocumentError, GuardrailInputError } from "../lib/guardrails/errors.js";
import { type GuardrailPrincipals, resolvePrincipals } from "../lib/guardrails/principals.js";
import type { LiveConfig } from "../lib/live/config.js";
import { formatIssue, loadPolicyText } from "../lib/policy/load.js";
import type { GuardrailsSettings } from "./props.js";
import { type PolicySettings, SynchronizerConfigError } from "./settings.js";

export interface SegsyncGuardrailsProps {
  readonly reconcilerRole: IRole;
  readonly policy: PolicySettings;
  readonly config: LiveConfig;
  readonly settings: GuardrailsSettings;
}

/** Organizations' target ids: a root, an OU or an account. */
const TARGET_ID = /^(?:r-[0-9a-z]{4,32}|\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;
/**
 * The longest ARN the reconciler's role can have (a generated name is at most 64 characters):
 * the SCP's size is checked with it, as the role's own ARN is only known at deployment.
 */
const LONGEST_ROLE_ARN = `arn:aws-us-gov:iam::000000000000:role/${"x".repeat(64)}`;

const INVALID = "segsync: the guardrails configuration is not valid";

export class SegsyncGuardrails extends Construct {
  /** The documents, the reconciler's role ARN in them as a token. */
  readonly documents: Guardrails;
  /** The deployed SCP, with `deployScp`. */
  readonly serviceControlPolicy: CfnPolicy | undefined;

  constructor(scope: Construct, id: string, props: SegsyncGuardrailsProps) {
    super(scope, id);
    const { config, settings } = props;
    const targetProblems = (settings.deployScp?.targetIds ?? [])
      .filter((target) => !TARGET_ID.test(target))
      .map(
        (target) =>
          `guardrails.deployScp.targetIds: ${JSON.stringify(target)} is not a root, OU or account id`,
      );
    if (settings.deployScp !== undefined && settings.deployScp.targetIds.length === 0)
      targetProblems.push("guardrails.deployScp.targetIds: name at least one root, OU or account");
    if (settings.deployScp !== undefined && config.aws === undefined)
      targetProblems.push("guardrails.deployScp: the SCP guards AWS accounts, and there is no aws");
    if (targetProblems.length > 0) throw new SynchronizerConfigError(INVALID, targetProblems);

    const labels = policyLabels(props.policy);
    const principals = this.principals(config, settings);
    const clouds = guardedClouds(config, principals);
    if (clouds.length === 0)
      throw new SynchronizerConfigError(INVALID, [
        "guardrails: nothing to guard: give azurePrincipalId (with azure) or gcpServiceAccount (with gcp)",
      ]);
    const request = {
      clouds,
      azureResourceGroups: (config.azure?.subscriptions ?? []).map((entry) => entry.resourceGroup),
    };
    const withRole = (arn: string) => ({ ...principals, awsRoles: [arn, ...principals.awsRoles] });
    try {
      // At its longest first: an SCP too long for Organizations fails the synth, not the deployment.
      buildGuardrails(labels, withRole(LONGEST_ROLE_ARN), request);
      this.documents = buildGuardrails(labels, withRole(props.reconcilerRole.roleArn), request);
    } catch (error) {
      if (error instanceof GuardrailDocumentError)
        throw new SynchronizerConfigError(INVALID, [error.message]);
      throw error;
    }
    this.outputs();
    const scp = this.documents.aws?.serviceControlPolicy;
    this.serviceControlPolicy =
      settings.deployScp === undefined || scp === undefined
        ? undefined
        : new CfnPolicy(this, "DeployedServiceControlPolicy", {
            name: "segsync-guardrails",
            description: "segsync: its tag keys and its security groups only by segsync (docs/guardrails.md)",
            type: "SERVICE_CONTROL_POLICY",
            content: scp,
            targetIds: [...settings.deployScp.targetIds],
          });
  }

  /** The per-account roles from the config (the reconciler's own role is added as a token). */
  private principals(config: LiveConfig, settings: GuardrailsSettings): GuardrailPrincipals {
    const gcpAuth = config.gcp?.auth;
    const gcpServiceAccount =
      settings.gcpServiceAccount ?? (gcpAuth?.kind === "federated" ? gcpAuth.serviceAccount : undefined);
    try {
      return resolvePrincipals({
        awsRoles: (config.aws?.accounts ?? []).flatMap((account) => account.roleArn ?? []),
        ...(settings.azurePrincipalId === undefined ? {} : { azurePrincipalId: settings.azurePrincipalId }),
        ...(gcpServiceAccount === undefined ? {} : { gcpServiceAccount }),
        ...(settings.labelWriters === undefined ? {} : { labelWriters: settings.labelWriters }),
      });
    } catch (error) {
      if (error instanceof GuardrailInputError)
        throw new SynchronizerConfigError(
          INVALID,
          error.problems.map((problem) => `guardrails: ${problem}`),
        );
      throw error;
    }
  }

  private outputs(): void {
    const stack = Stack.of(this);
    const output = (id: string, document: unknown, description: string) =>
      new CfnOutput(this, id, { value: stack.toJsonString(document), description });
    const { aws, azure, gcp } = this.documents;
    if (aws !== undefined) {
      output(
        "ServiceControlPolicy",
        aws.serviceControlPolicy,
        "segsync guardrails: the SCP (docs/guardrails.md)",
      );
      output("TagPolicy", aws.tagPolicy, "segsync guardrails: the tag policy, reporting only");
    }
    if (azure !== undefined)
      output(
        "AzurePolicyDefinition",
        azure.policyDefinition,
        "segsync guardrails: the Azure Policy definition",
      );
    if (gcp !== undefined)
      output("GcpDenyPolicy", gcp.denyPolicy, "segsync guardrails: the GCP IAM deny policy");
  }
}

/** The settings' policy was checked by resolveSettings: its labels are there. */
function policyLabels(policy: PolicySettings) {
  const loaded = loadPolicyText(policy.text, policy.path);
  if (!loaded.ok)
    throw new SynchronizerConfigError(
      INVALID,
      loaded.issues.map((issue) => formatIssue(policy.path, issue)),
    );
  return loaded.policy.labels;
}

/** AWS with aws (the reconciler's role is segsync there); Azure and GCP with a principal for them. */
function guardedClouds(config: LiveConfig, principals: GuardrailPrincipals): GuardrailCloud[] {
  return [
    ...(config.aws === undefined ? [] : ["aws" as const]),
    ...(config.azure !== undefined && principals.azurePrincipalId !== undefined ? ["azure" as const] : []),
    ...(config.gcp !== undefined && principals.gcpServiceAccount !== undefined ? ["gcp" as const] : []),
  ];
}
