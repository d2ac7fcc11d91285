import { CloudEventError } from "../../common/errors.js";

/** A Pub/Sub push or audit LogEntry that segsync does not accept: forged, malformed, or of another kind. */
export class GcpEventError extends CloudEventError {}
