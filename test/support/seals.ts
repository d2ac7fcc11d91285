/**
 * The simulator's ownership predicates for tests (SIMULATOR_RECORD_KEY): what the simulated runs
 * seal with, and what an object or record that a test builds by hand as segsync's must carry.
 */
import { AwsOwnership } from "../../lib/clouds/aws/ownership.js";
import { AzureOwnership } from "../../lib/clouds/azure/ownership.js";
import {
  DeferredRecordKey,
  RecordKey,
  type Sealer,
  SIMULATOR_RECORD_KEY,
} from "../../lib/clouds/common/seals.js";
import { GcpOwnership } from "../../lib/clouds/gcp/ownership.js";

export const SEALER: Sealer = SIMULATOR_RECORD_KEY;
export const AWS_OWNERSHIP = new AwsOwnership(SIMULATOR_RECORD_KEY);
export const AZURE_OWNERSHIP = new AzureOwnership(SIMULATOR_RECORD_KEY);
export const GCP_OWNERSHIP = new GcpOwnership(SIMULATOR_RECORD_KEY);

/** A record key for live runs against emulators (moto): any 32+ characters; not a secret. */
export const TEST_RECORD_KEY = "segsync test record key: for emulators only, not a secret";

/** TEST_RECORD_KEY as connectLive takes it (`LiveClients.recordKey`): loaded by the drivers' first read. */
export function testRecordKey(): DeferredRecordKey {
  return new DeferredRecordKey(async () => RecordKey.fromText(TEST_RECORD_KEY, "the tests"));
}
