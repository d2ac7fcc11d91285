import { EC2ServiceException } from "@aws-sdk/client-ec2";
import type { AwsLocation } from "../../../../lib/clouds/aws/model.js";
import {
  createSdkAwsApiFactory,
  SdkAwsApi,
  type SdkAwsApiOptions,
} from "../../../../lib/clouds/aws/sdk/api.js";

export const ACCOUNT = "111111111111";
export const LOCATION: AwsLocation = { account: ACCOUNT, region: "eu-west-1" };
export const TEST_CREDENTIALS = { accessKeyId: "AKIDTESTONLY", secretAccessKey: "test-secret-not-real" };

export function sdkApiFactory(options: Partial<SdkAwsApiOptions> = {}) {
  return createSdkAwsApiFactory({
    accounts: [{ account: ACCOUNT, regions: [LOCATION.region] }],
    credentials: TEST_CREDENTIALS,
    prefixListSettle: { pollIntervalMs: 1, timeoutMs: 1_000 },
    ...options,
  });
}

/** The concrete class, so that tests can reach its EC2Client. */
export function sdkApi(options: Partial<SdkAwsApiOptions> = {}, location: AwsLocation = LOCATION): SdkAwsApi {
  const api = sdkApiFactory(options)(location);
  if (!(api instanceof SdkAwsApi)) throw new Error("the factory did not build an SdkAwsApi");
  return api;
}

/** An error as the SDK throws it for an EC2 error response: named after its code. */
export function ec2Error(code: string, message = `${code} (test)`): EC2ServiceException {
  return new EC2ServiceException({
    name: code,
    $fault: "client",
    $metadata: { httpStatusCode: 400 },
    message,
  });
}
