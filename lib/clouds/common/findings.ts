import type { CloudFinding } from "../provider.js";

/** A finding of one cloud's planning: a CloudFinding whose code is one of that cloud's codes. */
export interface CodedFinding<Code extends string> extends CloudFinding {
  readonly code: Code;
}
