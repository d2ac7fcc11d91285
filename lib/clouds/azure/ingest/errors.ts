import { CloudEventError } from "../../common/errors.js";

/**
 * An Event Grid delivery that segsync does not accept: forged, malformed, or of another kind. Its
 * issues' paths start at the delivery's array (`[0].data.operationName`).
 */
export class AzureEventError extends CloudEventError {}
