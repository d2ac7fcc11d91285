import { describeGcpApiContract } from "./gcp-api.contract.js";
import { computeFake, recordedResponses, simulator } from "./gcp-api.implementations.js";

describeGcpApiContract(simulator);
describeGcpApiContract(computeFake);
describeGcpApiContract(recordedResponses);
