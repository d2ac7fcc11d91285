/**
 * The CloudProvider contract (provider.contract.ts) over the three clouds × {the simulator, the SDK
 * adapter against moto (AWS) or a local HTTP fake (Azure, GCP)}.
 */
import { describe } from "vitest";
import { skipWithoutMoto } from "../support/moto-server.js";
import { describeCloudProviderContract, describeImplementationsAgree } from "./provider.contract.js";
import { awsOnMoto, awsSimulator, withAwsIdsByName } from "./provider-subjects/aws.js";
import { azureOnArmFake, azureSimulator } from "./provider-subjects/azure.js";
import { gcpOnComputeFake, gcpSimulator } from "./provider-subjects/gcp.js";

describeCloudProviderContract(awsSimulator);
describe.skipIf(skipWithoutMoto("the CloudProvider contract on moto"))("on moto", () => {
  describeCloudProviderContract(awsOnMoto);
});

describeCloudProviderContract(azureSimulator);
describeCloudProviderContract(azureOnArmFake);

describeCloudProviderContract(gcpSimulator);
describeCloudProviderContract(gcpOnComputeFake);

describe.skipIf(skipWithoutMoto("the AWS simulator against moto"))("simulator against moto", () => {
  describeImplementationsAgree(awsSimulator, awsOnMoto, { comparable: withAwsIdsByName });
});
describeImplementationsAgree(azureSimulator, azureOnArmFake);
describeImplementationsAgree(gcpSimulator, gcpOnComputeFake);
