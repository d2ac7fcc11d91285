import { describe } from "vitest";
import { skipWithoutMoto } from "../support/moto-server.js";
import { describeAwsApiContract } from "./aws-api.contract.js";
import {
  againstMoto,
  CONTRACT_ACCOUNT,
  overRecordedResponses,
  simulator,
} from "./aws-api.implementations.js";

describeAwsApiContract(simulator, CONTRACT_ACCOUNT);
describeAwsApiContract(overRecordedResponses(), CONTRACT_ACCOUNT);
describe.skipIf(skipWithoutMoto("the AwsApi contract against moto"))("moto_server", () => {
  describeAwsApiContract(againstMoto(), CONTRACT_ACCOUNT);
});
