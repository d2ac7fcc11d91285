/**
 * The registry's providers as the unit tests configure them: the clouds' default quotas, the
 * simulator's record key, and the Azure test subscription's segsync resource group.
 */
import { DEFAULT_AWS_QUOTAS } from "../../lib/clouds/aws/config.js";
import { DEFAULT_AZURE_QUOTAS } from "../../lib/clouds/azure/config.js";
import { DEFAULT_GCP_PRIORITIES, DEFAULT_GCP_QUOTAS } from "../../lib/clouds/gcp/config.js";
import { createProviders, type Providers } from "../../lib/clouds/registry.js";
import { SEGSYNC_RESOURCE_GROUP, SUBSCRIPTION } from "../clouds/azure/harness.js";
import { SEALER } from "./seals.js";

export function testProviders(): Providers {
  return createProviders({
    sealer: SEALER,
    aws: { quotas: DEFAULT_AWS_QUOTAS },
    azure: { quotas: DEFAULT_AZURE_QUOTAS, resourceGroups: { [SUBSCRIPTION]: SEGSYNC_RESOURCE_GROUP } },
    gcp: { quotas: DEFAULT_GCP_QUOTAS, priorities: DEFAULT_GCP_PRIORITIES },
  });
}
