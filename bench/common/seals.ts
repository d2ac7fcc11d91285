/**
 * The simulated clouds' ownership predicates (SIMULATOR_RECORD_KEY): what the bench pipelines
 * seal with and verify, as the simulator's own runs do.
 */
import { AwsOwnership } from "../../lib/clouds/aws/ownership.js";
import { AzureOwnership } from "../../lib/clouds/azure/ownership.js";
import { SIMULATOR_RECORD_KEY } from "../../lib/clouds/common/seals.js";
import { GcpOwnership } from "../../lib/clouds/gcp/ownership.js";

export const AWS_OWNERSHIP = new AwsOwnership(SIMULATOR_RECORD_KEY);
export const AZURE_OWNERSHIP = new AzureOwnership(SIMULATOR_RECORD_KEY);
export const GCP_OWNERSHIP = new GcpOwnership(SIMULATOR_RECORD_KEY);
