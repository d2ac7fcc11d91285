/**
 * Who segsync is in each cloud, and who else may write label keys: checked and put in the form
 * each cloud's policy language names principals in (docs/guardrails.md).
 */
import { GuardrailInputError } from "./errors.js";

/** The principals, as the CLI and the construct hand them over. */
export interface GuardrailPrincipalsInput {
  /** Role ARNs (`arn:aws:iam::123456789012:role/segsync`) or role-name patterns (`segsync-*`). */
  readonly awsRoles?: readonly string[];
  /** segsync's Entra object id (its managed identity or service principal). */
  readonly azurePrincipalId?: string;
  /** segsync's Google service account email. */
  readonly gcpServiceAccount?: string;
  /** Who else may write label keys: ARNs, Entra object ids, Google emails or principal URIs. */
  readonly labelWriters?: readonly string[];
}

/** Checked and in each cloud's own form. */
export interface GuardrailPrincipals {
  /** ARN patterns for `aws:PrincipalArn` (ArnLike); empty: no AWS documents. */
  readonly awsRoles: readonly string[];
  readonly azurePrincipalId: string | undefined;
  /** IAM v2 principal identifier (`principal://iam.googleapis.com/projects/-/serviceAccounts/…`). */
  readonly gcpServiceAccount: string | undefined;
  readonly labelWriters: {
    readonly aws: readonly string[];
    readonly azure: readonly string[];
    readonly gcp: readonly string[];
  };
}

/**
 * IAM role ARN (any partition; `*` and `?` allowed, as ArnLike matches them) and role path/name.
 * Token placeholders of the CDK (`${Token[…]}`) are let through by the construct, not here.
 */
const ROLE_ARN = /^arn:(?:aws|aws-cn|aws-us-gov|\*):iam::(?:\d{12}|\*):role\/[\w+=,.@/*?-]{1,512}$/;
const IAM_ARN = /^arn:(?:aws|aws-cn|aws-us-gov|\*):(?:iam|sts)::(?:\d{12}|\*):[\w+=,.@/*?:-]{1,512}$/;
const ROLE_NAME_PATTERN = /^[\w+=,.@/*?-]{1,64}$/;
const ENTRA_OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SERVICE_ACCOUNT = /^[a-z0-9][a-z0-9.-]{0,99}@[a-z0-9][a-z0-9.-]*\.gserviceaccount\.com$/;
const EMAIL = /^[^\s@/:]+@[^\s@/:]+\.[^\s@/:]+$/;
const GOOGLE_PRINCIPAL = /^principal(?:Set)?:\/\/\S+$/;

/** A role ARN as is; a bare name pattern as an ARN pattern of any account and partition. */
function awsRole(value: string, problems: string[]): string | undefined {
  if (ROLE_ARN.test(value)) return value;
  if (!value.startsWith("arn:") && ROLE_NAME_PATTERN.test(value)) return `arn:*:iam::*:role/${value}`;
  problems.push(
    `AWS role ${JSON.stringify(value)}: expected a role ARN or a role name pattern such as segsync-*`,
  );
  return undefined;
}

function serviceAccountPrincipal(email: string): string {
  return `principal://iam.googleapis.com/projects/-/serviceAccounts/${email}`;
}

/** A Google principal in IAM v2 form: a service account, a user, `group:EMAIL`, or a principal URI. */
function googlePrincipal(value: string): string | undefined {
  if (GOOGLE_PRINCIPAL.test(value)) return value;
  if (SERVICE_ACCOUNT.test(value)) return serviceAccountPrincipal(value);
  if (value.startsWith("group:") && EMAIL.test(value.slice(6)))
    return `principalSet://goog/group/${value.slice(6)}`;
  if (EMAIL.test(value)) return `principal://goog/subject/${value}`;
  return undefined;
}

/** Sorts each label writer into its cloud by its form. */
function labelWriters(values: readonly string[], problems: string[]): GuardrailPrincipals["labelWriters"] {
  const aws: string[] = [];
  const azure: string[] = [];
  const gcp: string[] = [];
  for (const value of values) {
    if (IAM_ARN.test(value)) aws.push(value);
    else if (ENTRA_OBJECT_ID.test(value)) azure.push(value.toLowerCase());
    else {
      const google = googlePrincipal(value);
      if (google === undefined)
        problems.push(
          `label writer ${JSON.stringify(value)}: expected an AWS IAM ARN, an Entra object id, a Google email (group:EMAIL for a group) or a principal:// URI`,
        );
      else gcp.push(google);
    }
  }
  const unique = (list: string[]) => [...new Set(list)];
  return { aws: unique(aws), azure: unique(azure), gcp: unique(gcp) };
}

/** Checks every principal at once; throws GuardrailInputError naming each bad one. */
export function resolvePrincipals(input: GuardrailPrincipalsInput): GuardrailPrincipals {
  const problems: string[] = [];
  const awsRoles = (input.awsRoles ?? []).flatMap((role) => awsRole(role, problems) ?? []);
  const azure = input.azurePrincipalId;
  if (azure !== undefined && !ENTRA_OBJECT_ID.test(azure))
    problems.push(`Azure principal ${JSON.stringify(azure)}: expected an Entra object id (a GUID)`);
  const gcp = input.gcpServiceAccount;
  if (gcp !== undefined && !SERVICE_ACCOUNT.test(gcp))
    problems.push(
      `GCP service account ${JSON.stringify(gcp)}: expected a service account email (…@….gserviceaccount.com)`,
    );
  const writers = labelWriters(input.labelWriters ?? [], problems);
  if (problems.length > 0) throw new GuardrailInputError(problems);
  return {
    awsRoles: [...new Set(awsRoles)],
    azurePrincipalId: azure?.toLowerCase(),
    gcpServiceAccount: gcp === undefined ? undefined : serviceAccountPrincipal(gcp),
    labelWriters: writers,
  };
}
