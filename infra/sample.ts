/**
 * The sample deployment (infra/app.ts): the example policy and the estate of examples/ — the hub
 * account 111111111111 (this stack's, no role to assume), a second account reached through a
 * role, one Azure subscription and one GCP project, both with keyless federated auth.
 */
import { join } from "node:path";
import { PROJECT_ROOT } from "./bundling.js";
import type { SegmentationSynchronizerProps } from "./props.js";

export const SAMPLE_ACCOUNT = "111111111111";
export const SAMPLE_REGION = "us-east-1";

export const SAMPLE_PROPS: SegmentationSynchronizerProps = {
  policyFile: join(PROJECT_ROOT, "examples", "policy.yaml"),
  aws: {
    accounts: [
      // The VPC of examples/estate.yaml: the reconciler changes ENIs and creates groups there only.
      { account: SAMPLE_ACCOUNT, regions: [SAMPLE_REGION], vpcs: ["vpc-0a1b2c3d"] },
      {
        account: "222222222222",
        regions: ["us-west-2"],
        roleArn: "arn:aws:iam::222222222222:role/segsync-reconciler",
      },
    ],
  },
  azure: {
    subscriptions: [{ subscription: "8f2c1d3e-5a6b-4c7d-9e0f-1a2b3c4d5e6f", resourceGroup: "rg-segsync" }],
    auth: {
      kind: "federated",
      tenantId: "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
      clientId: "1c2d3e4f-5061-7283-94a5-b6c7d8e9f0a1",
    },
  },
  gcp: {
    projects: ["shop-prod"],
    auth: {
      kind: "federated",
      audience:
        "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/segsync/providers/aws",
      serviceAccount: "segsync@shop-prod.iam.gserviceaccount.com",
    },
  },
  eventGridAuth: {
    mode: "entra",
    tenantId: "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
    audience: "api://segsync-eventgrid",
  },
  pubSubAudience: "segsync-gcp-events",
  pubSubServiceAccountEmail: "segsync-push@shop-prod.iam.gserviceaccount.com",
};
