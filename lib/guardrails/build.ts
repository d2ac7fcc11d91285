/**
 * The guardrail documents of each cloud asked for, each checked against its cloud's documented
 * structure and limits, with what it cannot prevent (docs/guardrails.md).
 */
import type { z } from "zod";
import { serviceControlPolicy, tagPolicy } from "./aws.js";
import { azurePolicyDefinition } from "./azure.js";
import { GUARDRAIL_CLOUDS, type GuardrailCloud } from "./clouds.js";
import { GuardrailDocumentError, GuardrailInputError } from "./errors.js";
import { gcpDenyPolicy } from "./gcp.js";
import { type LabelKeys, labelKeyPatterns } from "./keys.js";
import type { GuardrailPrincipals } from "./principals.js";
import {
  type ServiceControlPolicy,
  ServiceControlPolicySchema,
  type TagPolicy,
  TagPolicySchema,
} from "./schemas/aws.js";
import { type PolicyDefinition, PolicyDefinitionSchema } from "./schemas/azure.js";
import { type DenyPolicy, DenyPolicySchema } from "./schemas/gcp.js";

export { GUARDRAIL_CLOUDS, type GuardrailCloud } from "./clouds.js";

export interface AwsGuardrails {
  readonly serviceControlPolicy: ServiceControlPolicy;
  readonly tagPolicy: TagPolicy;
  readonly notes: readonly string[];
}
export interface AzureGuardrails {
  readonly policyDefinition: PolicyDefinition;
  readonly notes: readonly string[];
}
export interface GcpGuardrails {
  readonly denyPolicy: DenyPolicy;
  readonly notes: readonly string[];
}
export interface Guardrails {
  readonly aws?: AwsGuardrails;
  readonly azure?: AzureGuardrails;
  readonly gcp?: GcpGuardrails;
}

export interface GuardrailRequest {
  /** The clouds to build for; default: each cloud whose segsync principal is given. */
  readonly clouds?: readonly GuardrailCloud[];
  /** Azure: the resource groups of segsync's NSGs and ASGs (the parameter's default). */
  readonly azureResourceGroups?: readonly string[];
}

/** The principal each cloud's documents need, named as the CLI option that gives it. */
const NEEDS: Record<GuardrailCloud, string> = {
  aws: "--aws-role",
  azure: "--azure-principal",
  gcp: "--gcp-service-account",
};

function hasPrincipal(cloud: GuardrailCloud, principals: GuardrailPrincipals): boolean {
  if (cloud === "aws") return principals.awsRoles.length > 0;
  if (cloud === "azure") return principals.azurePrincipalId !== undefined;
  return principals.gcpServiceAccount !== undefined;
}

/** Our own output through the cloud's schema: a document the cloud would refuse is an error here. */
function checked<T>(schema: z.ZodType<T>, document: T, name: string): T {
  const result = schema.safeParse(document);
  if (result.success) return document;
  throw new GuardrailDocumentError(
    name,
    result.error.issues.map((issue) => `${issue.path.join(".") || "(document)"}: ${issue.message}`),
  );
}

function awsGuardrails(labels: LabelKeys, principals: GuardrailPrincipals): AwsGuardrails {
  const notes = [
    "SCPs never restrict the management account or service-linked roles: keep workloads out of the management account.",
    "aws:PrincipalArn is the role of a session: anyone who can assume segsync's role passes; keep its trust policy narrow.",
  ];
  if (principals.labelWriters.aws.length === 0)
    notes.push(
      `Label keys (${labelKeyPatterns(labels).join(", ")}) are not reserved: name their writers' ARNs with --label-writers to reserve them.`,
    );
  return {
    serviceControlPolicy: checked(
      ServiceControlPolicySchema,
      serviceControlPolicy(labels, principals),
      "service control policy",
    ),
    tagPolicy: checked(TagPolicySchema, tagPolicy(), "tag policy"),
    notes,
  };
}

function azureGuardrails(principals: GuardrailPrincipals, request: GuardrailRequest): AzureGuardrails {
  const notes = [
    "Azure Policy sees the resulting resource, not the caller: the definition confines segsync's tags to segsync's resource groups (keep write on them to segsync with RBAC) and its NIC records to NICs; a forged record on a NIC is left to segsync's seals.",
  ];
  if (request.azureResourceGroups === undefined || request.azureResourceGroups.length === 0)
    notes.push("Give the parameter segsyncResourceGroups when you assign the definition.");
  if (principals.labelWriters.azure.length > 0)
    notes.push(
      "Azure Policy cannot reserve label keys to principals: the Azure label writers are not in any document; restrict who may write VMs' tags with RBAC.",
    );
  return {
    policyDefinition: checked(
      PolicyDefinitionSchema,
      azurePolicyDefinition(principals, { resourceGroups: request.azureResourceGroups ?? [] }),
      "Azure Policy definition",
    ),
    notes,
  };
}

function gcpGuardrails(segsync: string, principals: GuardrailPrincipals): GcpGuardrails {
  const notes = [
    "Deny conditions can only test resource tags: in the projects it is attached to, the policy reserves all VPC firewall rules and network tags to segsync, not only segsync-… ones.",
  ];
  if (principals.labelWriters.gcp.length === 0)
    notes.push("Instance labels are not reserved: name their writers with --label-writers to reserve them.");
  return {
    denyPolicy: checked(
      DenyPolicySchema,
      gcpDenyPolicy(segsync, principals.labelWriters.gcp),
      "GCP deny policy",
    ),
    notes,
  };
}

/** Throws GuardrailInputError when a cloud asked for lacks segsync's principal, or none is given. */
export function buildGuardrails(
  labels: LabelKeys,
  principals: GuardrailPrincipals,
  request: GuardrailRequest = {},
): Guardrails {
  const clouds = request.clouds ?? GUARDRAIL_CLOUDS.filter((cloud) => hasPrincipal(cloud, principals));
  if (clouds.length === 0)
    throw new GuardrailInputError([
      `give segsync's principal in at least one cloud (${Object.values(NEEDS).join(", ")})`,
    ]);
  const missing = clouds.filter((cloud) => !hasPrincipal(cloud, principals));
  if (missing.length > 0)
    throw new GuardrailInputError(missing.map((cloud) => `the ${cloud} documents need ${NEEDS[cloud]}`));
  const gcp = principals.gcpServiceAccount;
  return {
    ...(clouds.includes("aws") ? { aws: awsGuardrails(labels, principals) } : {}),
    ...(clouds.includes("azure") ? { azure: azureGuardrails(principals, request) } : {}),
    ...(clouds.includes("gcp") && gcp !== undefined ? { gcp: gcpGuardrails(gcp, principals) } : {}),
  };
}
