import { CloudEventError } from "../../shared/errors.js";

/** A Pub/Sub push or audit LogEntry that segsync does not accept: forged, malformed, or of another kind. */
export class GcpEventError extends CloudEventError {}
