import { CloudEventError } from "../../common/errors.js";

/** An EventBridge event that is not one segsync accepts: forged, malformed, or of another kind. */
export class AwsEventError extends CloudEventError {}
