import { buildGuardrails, type GuardrailCloud, type Guardrails } from "../../lib/guardrails/build.js";
import { GuardrailDocumentError, GuardrailInputError } from "../../lib/guardrails/errors.js";
import { resolvePrincipals } from "../../lib/guardrails/principals.js";
import { formatIssue, loadPolicyFile } from "../../lib/policy/load.js";
import type { CliIo } from "../io.js";

export interface GuardrailsOptions {
  readonly policy: string;
  readonly cloud?: GuardrailCloud;
  readonly awsRole?: readonly string[];
  readonly azurePrincipal?: string;
  readonly gcpServiceAccount?: string;
  readonly labelWriters?: readonly string[];
  readonly json?: boolean;
}

/** Each document with how to deploy it (docs/guardrails.md has the whole story). */
function documents(
  guardrails: Guardrails,
): { title: string; deploy: string; body: unknown; notes: readonly string[] }[] {
  const { aws, azure, gcp } = guardrails;
  return [
    ...(aws === undefined
      ? []
      : [
          {
            title: "AWS service control policy",
            deploy:
              'aws organizations create-policy --type SERVICE_CONTROL_POLICY --name segsync-guardrails --content "$(jq -c . scp.json)" in the management account (compact: the API counts whitespace in the 5,120 characters), then attach-policy',
            body: aws.serviceControlPolicy,
            notes: aws.notes,
          },
          {
            title: "AWS tag policy (reports only)",
            deploy:
              "aws organizations create-policy --type TAG_POLICY --name segsync-tags --content file://tag-policy.json",
            body: aws.tagPolicy,
            notes: [],
          },
        ]),
    ...(azure === undefined
      ? []
      : [
          {
            title: "Azure Policy definition",
            deploy:
              "az policy definition create --name segsync-guardrails --mode Indexed --rules <policyRule> --params <parameters>, then az policy assignment create at the management group or subscriptions segsync manages",
            body: azure.policyDefinition,
            notes: azure.notes,
          },
        ]),
    ...(gcp === undefined
      ? []
      : [
          {
            title: "GCP IAM deny policy",
            deploy:
              "gcloud iam policies create segsync-guardrails --attachment-point=cloudresourcemanager.googleapis.com/projects/PROJECT --kind=denypolicies --policy-file=deny.json",
            body: gcp.denyPolicy,
            notes: gcp.notes,
          },
        ]),
  ];
}

/** Prints the documents (JSON with --json); exit 1 with every problem on stderr. */
export async function guardrails(options: GuardrailsOptions, io: CliIo): Promise<number> {
  const loaded = await loadPolicyFile(options.policy);
  if (!loaded.ok) {
    for (const issue of loaded.issues) io.err(`${formatIssue(options.policy, issue)}\n`);
    return 1;
  }
  let result: Guardrails;
  try {
    const principals = resolvePrincipals({
      ...(options.awsRole === undefined ? {} : { awsRoles: options.awsRole }),
      ...(options.azurePrincipal === undefined ? {} : { azurePrincipalId: options.azurePrincipal }),
      ...(options.gcpServiceAccount === undefined ? {} : { gcpServiceAccount: options.gcpServiceAccount }),
      ...(options.labelWriters === undefined ? {} : { labelWriters: options.labelWriters }),
    });
    result = buildGuardrails(loaded.policy.labels, principals, {
      ...(options.cloud === undefined ? {} : { clouds: [options.cloud] }),
    });
  } catch (error) {
    if (!(error instanceof GuardrailInputError || error instanceof GuardrailDocumentError)) throw error;
    const problems =
      error instanceof GuardrailInputError
        ? error.problems
        : error.problems.map((problem) => `the ${error.document} is not valid: ${problem}`);
    for (const problem of problems) io.err(`segsync guardrails: ${problem}\n`);
    return 1;
  }
  if (options.json) {
    io.out(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  for (const document of documents(result)) {
    io.out(`# ${document.title}\n# deploy: ${document.deploy}\n`);
    for (const note of document.notes) io.out(`# note: ${note}\n`);
    io.out(`${JSON.stringify(document.body, null, 2)}\n\n`);
  }
  return 0;
}
