/** The policy's zod issues are worded as every document's: see lib/util/zod-issues.ts. */
export {
  describeValue,
  documentErrorMap as policyErrorMap,
  draftIssuesFromZod,
  quotingHint,
} from "../util/zod-issues.js";
